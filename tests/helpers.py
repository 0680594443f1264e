"""Plain helpers shared by test modules (fixtures live in conftest.py, object builders in the factories modules)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str, data: dict | None = None) -> int:
    """SQL queries run by one GET of `url` (with query string `data`), which must answer 200.

    The query-count tests of list pages call it with 1 and with 3 (or more) rows and assert the same number."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data or {})
    assert response.status_code == 200, f"GET {url} answered {response.status_code}"
    return len(ctx.captured_queries)
