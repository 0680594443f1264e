"""Every URL pattern of the project by its qualified name, for the permission matrix
(tests/trust/test_permission_matrix.py) and the bad-input sweep (tests/trust/test_bad_input.py)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

SKIPPED_PREFIXES = ("admin:",)
SKIPPED = {
    "set_language",  # Django's own language switch (POST, no data of ours)
}


def url_names() -> list[str]:
    """Qualified names of every URL pattern of the project (unnamed ones by their route)."""

    def walk(patterns, namespace: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                yield f"{namespace}{pattern.name or f'<unnamed {pattern.pattern}>'}"

    names = walk(get_resolver().url_patterns, "")
    return sorted({n for n in names if not n.startswith(SKIPPED_PREFIXES) and n not in SKIPPED})
