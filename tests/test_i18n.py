from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries() -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs of singular entries, parsed from the catalogue."""
    entries, msgid, msgstr, field, context = [], None, None, None, False
    for raw in PO.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if line.startswith("msgctxt "):
            context = True
        elif line.startswith("msgid "):
            msgid, msgstr, field = line[7:-1], None, "id"
        elif line.startswith("msgstr "):
            msgstr, field = line[8:-1], "str"
        elif line.startswith("msgid_plural") or line.startswith("msgstr["):
            field = None
            msgid = None if line.startswith("msgid_plural") else msgid
        elif line.startswith('"') and field == "id" and msgid is not None:
            msgid += line[1:-1]
        elif line.startswith('"') and field == "str" and msgstr is not None:
            msgstr += line[1:-1]
        elif not line:
            if msgid and not context:  # entries with a context are looked up with pgettext, not gettext
                entries.append((msgid, msgstr or ""))
            msgid, context = None, False
    return entries


def test_every_catalogue_entry_is_translated():
    untranslated = [msgid for msgid, msgstr in _entries() if not msgstr]
    assert untranslated == []


def test_compiled_catalogue_matches_the_source():
    stale = []
    with translation.override("zh-hans"):
        for msgid, msgstr in _entries():
            if "\\" in msgid or "%" in msgid:
                continue
            if translation.gettext(msgid) != msgstr:
                stale.append(msgid)
    assert stale == []


def test_english_stays_available():
    with translation.override("en"):
        assert translation.gettext("Instructor registry") == "Instructor registry"
    with translation.override("zh-hans"):
        assert translation.gettext("Instructor registry") == "师资库"


def test_english_browser_still_gets_chinese_until_switched(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录" in response.content.decode()
    answer = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert answer.status_code == 302
    assert "Log in" in client.get("/login/").content.decode()


def test_no_template_prints_a_bare_id_that_the_thousands_separator_would_group():
    # USE_THOUSAND_SEPARATOR renders {{ obj.pk }} as "1,516" once ids pass 999: ids go through |stringformat:"d".
    import re
    from pathlib import Path

    bare = re.compile(r"\{\{ ([a-z_]+\.)*pk \}\}")
    root = Path(__file__).resolve().parents[1] / "templates"
    found = [
        f"{p.relative_to(root)}:{n}"
        for p in root.rglob("*.html")
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if bare.search(line)
    ]
    assert found == []
