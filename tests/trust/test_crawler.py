"""A crawler as each kind of person: from the pages a person starts at, follow every same-origin link (GET only,
never a form, never logout) and check what each page shows.

Every HTML page answers 200, has a Chinese title of its own (before the " · site name" suffix), shows no English
word outside data and the short ALLOWED list below, links back to another page, and is no dead end (one of its
links leads to a page that works). Visible text is the page's text and its title/alt/placeholder/aria-label
attributes, without scripts, styles and elements marked translate="no" (the HTML way to say "a name, do not
translate"). Data is what the database holds in our apps' free-text fields (names, titles, usernames), so a
username or an instructor's pinyin may show. Downloads (Excel, iCal, courseware) are requested but not
read: they answer 200, or a deliberate 403/404; pictures, recordings and htmx fragments a page loads answer 200.
Across all roles, every GET view of the project is linked from some page, except the few in NOT_LINKED.
Django's admin (/admin/) is Django's own interface and is not crawled.

The crawl runs on the trust suite's world (tests/trust/world.py, built once per module): it has an object of every
kind, so every page kind is reached, and it builds far faster than the city demo. URLs are grouped by their
resolved view name and at most a few are visited per view, so list filters and pagination do not explode.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.db import models
from django.urls import Resolver404, URLResolver, get_resolver, resolve, reverse

from tests.trust.urls import url_names
from tests.trust.world import client_for

# English words a Chinese reader is expected to read as they are. Keep it short; each needs a reason:
ALLOWED = {
    # File formats and units, written this way in Chinese software too (导出 Excel, 上传 PDF, 不超过 5 MB).
    *("excel", "pdf", "pptx", "docx", "csv", "jpeg", "png", "webp", "ical", "ics", "mb"),
    "qr",  # 二维码 is often written QR码
    "vr",  # the course format VR/AR (VR党课) has no other name
    "ar",
    "zs",  # the search box's example of pinyin initials a person types (张三 → zs)
    "english",  # the language switcher names each language in its own language
    # Proper names with no Chinese name, cited on the speech-analysis page: the method's authors and the tools.
    *("de", "jong", "wempe", "silero", "praat"),
}
# Visit at most this many URLs per view name (distinct objects), and this many with a query string (filters, pages).
PER_VIEW = 3
PER_VIEW_QUERY = 2
OUR_APPS = {"core", "instructors", "courses", "outreach", "evaluations", "care"}
# Text fields holding the program's own codes, not what a person typed: a page must not show them raw.
CODE_FIELDS = {"password", "importer", "success_url", "link", "rule"}
NEVER_FOLLOW = {"logout", "set_language"}
SKIPPED_PREFIXES = ("/admin/", "/static/")
TEXT_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
WORD = re.compile(r"(?<![A-Za-z0-9_@.])[A-Za-z][A-Za-z]+(?![A-Za-z0-9_@])")
# Not words but codes: e-mail addresses, links, paths and the {name}-style placeholders typed into greeting texts.
LINKISH = re.compile(r"\S+@\S+|https?://\S+|(?<!\S)/\S*|\{[a-z_]+\}")
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# Who is crawled and where each one starts (the demo's logins: admin, city organizer, county organizer, instructor,
# judge; plus the public pages an anonymous visitor or a trainee with a survey link can reach).
STARTS = {
    "anon": lambda w: [reverse("login"), reverse("courses:column_public", args=[w["column"].slug])],
    "trainee": lambda w: [reverse("evaluations:survey", args=[w["a"]["survey_token"]])],
    "inst_a": lambda w: [reverse("home")],
    "org_x": lambda w: [reverse("home")],
    "org_city": lambda w: [reverse("home")],
    "judge": lambda w: [reverse("home")],
    "admin": lambda w: [reverse("home")],
}


class Page(HTMLParser):
    """Title, visible text (script, style and elements marked translate="no" left out) and link targets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title, self.text, self.links, self.sources = "", [], [], []
        self._skip: list[str] = []  # open tags of the subtree being skipped
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        # What the page loads by itself: pictures, recordings and htmx fragments.
        if tag in ("img", "audio", "video", "source") and attributes.get("src"):
            self.sources.append(attributes["src"])
        if attributes.get("hx-get"):
            self.sources.append(attributes["hx-get"])
        # Addresses our scripts fetch, handed over in data-…-url attributes (static/js reads them).
        self.sources += [value for name, value in attrs if name.startswith("data-") and name.endswith("url") and value]
        if self._skip:
            if tag not in VOID:
                self._skip.append(tag)
            return
        if tag in ("script", "style", "template") or attributes.get("translate") == "no":
            if tag not in VOID:
                self._skip.append(tag)
            return
        if tag == "title":
            self._in_title = True
        self.text += [attributes[name] for name in TEXT_ATTRIBUTES if attributes.get(name)]
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.text.append(attributes["value"])

    def handle_endtag(self, tag):
        if self._skip:
            # Pop up to the matching open tag (HTML allows some end tags to be left out).
            if tag in self._skip:
                while self._skip.pop() != tag:
                    pass
            return
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._skip:
            return
        if self._in_title:
            self.title += data
        else:
            self.text.append(data)


def data_words() -> dict[str, str]:
    """English words in our apps' free text (names, titles, usernames): data, not interface; word → where it is.

    Fields with choices are left out, so an untranslated choice label still shows as English; so are Django's own
    apps (permission names are English) and stored files (random names)."""
    words: dict[str, str] = {}
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices and f.name not in CODE_FIELDS
        ]
        for row in model._default_manager.values_list(*fields) if fields else []:
            for name, value in zip(fields, row, strict=True):
                for word in WORD.findall(str(value or "")):
                    words.setdefault(word.lower(), f"{model._meta.label}.{name}")
    return words


def english_words(texts: list[str], allowed: set[str]) -> set[str]:
    found = set()
    for text in texts:
        for word in WORD.findall(LINKISH.sub(" ", text)):
            if word.lower() not in allowed:
                found.add(word)
    return found


@dataclass
class Crawl:
    problems: list[str] = field(default_factory=list)
    html: dict[str, list[str]] = field(default_factory=dict)  # page → same-origin link targets
    ok: set[str] = field(default_factory=set)  # URLs that answered 200 (after redirects)
    views: Counter = field(default_factory=Counter)


def _target(base: str, href: str) -> str | None:
    """Same-origin path and query of a link, or None when it leaves the site or is not a page link."""
    if href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin("http://testserver" + base, href))
    if parts.netloc != "testserver" or parts.path.startswith(SKIPPED_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _view(url: str) -> str:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return "<unresolved>"


def _get(client, url: str):
    """GET `url`, following same-origin redirects; the final URL and the response."""
    response = client.get(url)
    for _ in range(3):
        target = _target(url, response.get("Location", "")) if response.status_code in (301, 302) else None
        if target is None:
            break
        url, response = target, client.get(target)
    return url, response


def _drain(response) -> None:
    # Read a file to its end: the test client then closes it without ending the database connection, which
    # response.close() would do (request_finished closes a connection found inside the world's transaction).
    if response.streaming:
        b"".join(response.streaming_content)


def _check_loaded(client, url: str, result: Crawl) -> None:
    """A picture, recording or htmx fragment the page loads by itself: it must be there."""
    final, response = _get(client, url)
    if response.status_code == 200:
        result.ok |= {url, final}
    else:
        result.problems.append(f"{url}: loaded by a page, answers {response.status_code}")
    _drain(response)


def crawl(client, starts: list[str], allowed: set[str]) -> Crawl:
    """Breadth first from `starts` over same-origin links, at most PER_VIEW URLs per view name."""
    result, queue, seen = Crawl(), deque(starts), set(starts)
    while queue:
        first = queue.popleft()
        url, response = _get(client, first)
        if not response.get("Content-Type", "").startswith("text/html"):
            # A download (Excel, iCal, courseware, a photo): not read, but it works or refuses on purpose.
            if response.status_code not in (200, 403, 404):
                result.problems.append(f"{url}: download answers {response.status_code}")
            elif response.status_code == 200:
                result.ok |= {first, url}
            _drain(response)
            continue
        if response.status_code != 200:
            result.problems.append(f"{first}: HTTP {response.status_code}")
            continue
        result.ok |= {first, url}
        page = Page()
        page.feed(response.content.decode())
        result.problems += _page_problems(url, page, allowed)
        links = [t for t in (_target(url, href) for href in page.links) if t is not None]
        result.html[url] = links
        for source in {t for t in (_target(url, src) for src in page.sources) if t is not None} - seen:
            if _visit(result, source):
                seen.add(source)
                _check_loaded(client, source, result)
        for link in links:
            if link not in seen and _visit(result, link):
                seen.add(link)
                queue.append(link)
    for url, links in result.html.items():
        path = urlsplit(url).path
        elsewhere = [link for link in links if urlsplit(link).path != path and _view(link) not in NEVER_FOLLOW]
        if not elsewhere:
            result.problems.append(f"{url}: no link back to another page")
        elif not any(link in result.ok for link in elsewhere):
            result.problems.append(f"{url}: dead end (none of its links leads to a working page)")
    return result


def _visit(result: Crawl, url: str) -> bool:
    """Whether to request `url`: never logout, and only the first few URLs of each view (with and without query)."""
    view = _view(url)
    if view in NEVER_FOLLOW:
        return False
    key = (view, "?" in url)
    if result.views[key] >= (PER_VIEW_QUERY if "?" in url else PER_VIEW):
        return False
    result.views[key] += 1
    return True


def _page_problems(url: str, page: Page, allowed: set[str]) -> list[str]:
    problems = []
    own_title = page.title.split("·")[0].strip()
    if not CHINESE.search(own_title):
        problems.append(f"{url}: title {page.title.strip()!r} has no Chinese of its own")
    english = english_words(page.text, allowed)
    if english:
        problems.append(f"{url}: English words {sorted(english)}")
    return problems


def _methods(callback) -> list[str] | None:
    """The HTTP methods a view allows when it is wrapped in Django's require_http_methods (require_POST), else None.

    Read from the decorator's closure; should Django rename it, POST-only views show up as unlinked (a loud failure,
    never a silent pass)."""
    while callback is not None:
        code = getattr(callback, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            return callback.__closure__[code.co_freevars.index("request_method_list")].cell_contents
        callback = getattr(callback, "__wrapped__", None)
    return None


def _post_only() -> set[str]:
    def walk(patterns, namespace: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif "GET" not in (_methods(pattern.callback) or ["GET"]):
                yield f"{namespace}{pattern.name}"

    return set(walk(get_resolver().url_patterns, ""))


# GET views no link reaches, and why that is right.
NOT_LINKED = {
    "healthz": "a probe for the load balancer",
    "readyz": "a probe for the load balancer",
    "logout": "a POST form in the menu, never followed",
    "password_change_done": "shown after the password form is sent",
    "core:import_job": "shown after an import file is sent",
    "evaluations:survey_thanks": "shown after a survey is sent",
    "outreach:ical_feed": "a subscription address copied into a calendar app, shown as text",
    "outreach:lecture_cancel": "offered only for lectures not yet delivered; the world's lectures are delivered",
    "outreach:lecture_deliver": "likewise",
    "alliance:api_courses": "the alliance's API, called by partner cities' servers",
    "alliance:api_courseware": "likewise",
    "alliance:api_instructors": "likewise (the shared instructors' feed)",
    "alliance:api_events": "likewise (the joint events' feed)",
    "evaluations:work_danmaku": "fetched by the player of a work with a recording; the world's work has none",
}


@pytest.fixture(scope="module")
def crawls() -> dict[str, Crawl]:
    """Each role's crawl, made by the first test that needs it (tests only read the world, in any order)."""
    return {}


def crawled(crawls: dict, world: dict, role: str) -> Crawl:
    if role not in crawls:
        crawls[role] = crawl(client_for(role, world), STARTS[role](world), ALLOWED | set(data_words()))
    return crawls[role]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(STARTS))
def test_every_reachable_page_is_chinese_and_leads_on(world, world_media, crawls, role):
    result = crawled(crawls, world, role)

    assert len(result.html) > (1 if role in ("anon", "trainee") else 10), "the crawl reached almost nothing"
    assert result.problems == [], "\n".join(result.problems)


@pytest.mark.django_db
def test_every_page_is_linked_from_somewhere(world, world_media, crawls):
    reached = {_view(url) for role in STARTS for url in crawled(crawls, world, role).ok}

    unlinked = set(url_names()) - reached - _post_only() - set(NOT_LINKED)

    assert unlinked == set()


def test_the_checker_sees_english_outside_data_and_the_allow_list():
    page = Page()
    page.feed(
        '<title>Edit · 平台</title><p>导出 Excel，共 3 条 records <span translate="no">Zhang Wei</span></p>'
        '<input type="submit" value="Save"><script>var hidden = "text";</script>'
    )

    assert english_words(page.text, ALLOWED) == {"records", "Save"}
    assert _page_problems("/x/", page, ALLOWED)[0] == "/x/: title 'Edit · 平台' has no Chinese of its own"
