"""The main pages of each journey in headless Chromium: axe-core finds no serious or critical violation, the Nu
HTML Checker finds no error, the page breaks nothing of the Content Security Policy (own origin only, no inline
script or style), and a screenshot of each page is kept in test-artifacts/pages/."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.browser import LAUNCH_ARGS
from tests.conftest import need
from tests.trust import world as world_builder

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SHOTS = ROOT / "test-artifacts" / "pages"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def journeys(w: dict) -> dict[str, tuple[str | None, dict, list[tuple[str, str]]]]:
    """Journey → (who, viewport, [(page name, URL)])."""
    a = w["a"]
    return {
        "organizer": (
            "org_x",
            DESKTOP,
            [
                ("home", reverse("home")),
                ("instructor_list", reverse("instructors:instructor_list")),
                ("instructor_detail", a["instructor"].get_absolute_url()),
                ("course_list", reverse("courses:course_list")),
                ("course_detail", a["course"].get_absolute_url()),
                ("organization_import", reverse("outreach:organization_import")),
                ("import_job", w["import_job"].get_absolute_url()),
                ("outreach_dashboard", reverse("outreach:dashboard")),
                ("campaign_detail", reverse("outreach:campaign_detail", args=[a["campaign"].pk])),
                ("request_list", reverse("outreach:request_list")),
                ("request_dispatch", reverse("outreach:request_dispatch", args=[a["request"].pk])),
                ("lecture_detail", a["lecture"].get_absolute_url()),
                ("result_list", reverse("evaluations:result_list")),
                ("session_list", reverse("evaluations:session_list")),
                ("session_result", reverse("evaluations:session_result_detail", args=[a["session_result"].pk])),
                ("veto_list", reverse("evaluations:review_veto_list") + "?q=" + a["instructor"].name),
                ("audience", reverse("evaluations:competition_audience", args=[a["competition"].pk])),
                ("peer_review", reverse("evaluations:competition_peer", args=[a["competition"].pk])),
                ("moderation_queue", reverse("evaluations:moderation_queue")),
                ("column_feedback", reverse("evaluations:column_feedback", args=[w["column"].slug])),
                ("course_feedback", reverse("evaluations:course_feedback", args=[a["course"].pk])),
                ("field_visit_create", reverse("evaluations:field_visit_create", args=[a["course"].pk])),
                ("remote_instructor_list", reverse("alliance:remote_instructor_list")),
                ("exchange_create", reverse("alliance:exchange_create", args=[w["alliance_instructor"].pk])),
                ("exchange_detail", a["exchange"].get_absolute_url()),
            ],
        ),
        "instructor": (
            "inst_a",
            DESKTOP,
            [
                ("my_profile", reverse("instructors:instructor_me")),
                ("my_ratings", reverse("evaluations:my_ratings")),
                ("my_schedule", reverse("outreach:my_schedule")),
                ("work_feedback", reverse("evaluations:work_feedback", args=[w["work"].pk])),
            ],
        ),
        "judge": (
            "judge",
            DESKTOP,
            [
                ("my_assignments", reverse("evaluations:my_assignments")),
                ("competition_score", reverse("evaluations:competition_score", args=[a["competition"].pk])),
            ],
        ),
        "trainee": (
            None,
            PHONE,
            [
                ("survey", reverse("evaluations:survey", args=[a["survey_token"]])),
                ("work_public", reverse("evaluations:work_public", args=[w["work"].pk])),
            ],
        ),
    }


CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " line " + e.lineNumber);
});
"""


def _users(w: dict) -> dict:
    return {"org_x": w["org_x"], "inst_a": w["a"]["user"], "judge": w["judge"]}


def vnu_errors(pages: dict[str, str], tmp_path: Path) -> list[str]:
    """Nu HTML Checker errors of each page (vnu refuses localhost URLs, so the HTML goes in as files)."""
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=180,
    )
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    return [
        f"{Path(m.get('url', '')).stem}:{m.get('lastLine', '?')}: {m['message']} [{m.get('extract', '').strip()[:80]}]"
        for m in messages
        if m.get("type") == "error"
    ]


@pytest.fixture
def browser(chromium_path, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    need(shutil.which("java") is not None, "java is not installed (the Nu HTML Checker needs it)")
    need(AXE.exists() and VNU.exists(), "node_modules is missing: run `npm ci` (axe-core, vnu-jar)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        need(False, "playwright is not installed")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("journey", ["organizer", "instructor", "judge", "trainee"])
def test_journey_pages_are_accessible_and_valid(browser, live_server, tmp_path, journey):
    w = world_builder.build()
    who, viewport, pages = journeys(w)[journey]
    context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=viewport is PHONE)
    # axe comes in through the DevTools protocol, which the Content Security Policy does not govern; the page's
    # own violations of the policy are collected from the moment each document starts.
    context.add_init_script(path=str(AXE))
    context.add_init_script(CSP_LISTENER)
    if who is not None:
        client = Client()
        client.force_login(_users(w)[who])
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems, html, bars = [], {}, 0
    for name, url in pages:
        response = page.goto(f"{live_server.url}{url}")
        if response is None or response.status != 200:
            problems.append(f"{name}: HTTP {response.status if response else '?'}")
            continue
        page.screenshot(path=str(SHOTS / f"{journey}_{name}.png"), full_page=True)
        html[f"{journey}_{name}"] = response.text()  # what the server sent, before any script ran
        page.wait_for_load_state("load")
        problems += [f"{name}: CSP blocked {v}" for v in page.evaluate("window.__cspViolations || []")]
        # Bar widths come from data-width through static/js/portal.js (no inline style allowed).
        unset = page.evaluate(
            "[...document.querySelectorAll('[data-width]')]"
            ".filter(e => e.style.width !== Math.min(100, parseFloat(e.dataset.width)) + '%').length"
        )
        if unset:
            problems.append(f"{name}: {unset} bars without their width")
        bars += page.evaluate("document.querySelectorAll('[data-width]').length")
        result = page.evaluate("axe.run()")
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [" ".join(node["target"]) for node in violation["nodes"]][:3]
                detail = next((check["message"] for check in violation["nodes"][0]["any"]), violation["help"])
                problems.append(f"{name}: axe {violation['id']} ({violation['impact']}) at {targets}: {detail}")
    context.close()
    if journey == "organizer" and bars == 0:
        problems.append("no page of the journey had a bar: the width check checked nothing")
    problems += vnu_errors(html, tmp_path)
    assert problems == [], "\n".join(problems)
