"""Accessibility sweep: axe-core (WCAG 2.1 A and AA) on every HTML page the app serves, generated from the
URL map and visited by a role allowed to see it (learner and trainer pages also at 360 px); plus two checks axe cannot
make: flagged words are marked by more than colour, and status messages are announced."""
from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, LiveServer, axe_violations, browser_login, format_violations
from tests.test_security_matrix import ACCESS, _url, build_world

pytestmark = pytest.mark.browser

# Which signed-in role visits a route, in order of preference: the learner who owns the objects in the URL,
# then the cohort's trainer, then an admin. Anonymous-friendly routes are visited signed out.
PREFERENCE = ("anonymous", "learner", "trainer", "admin")
# The course home is a different page for each role, so it is visited by all of them.
EVERY_ROLE = {"curriculum.home"}
# Anonymous pages a learner opens on a phone (the projector screen is not one of them).
PHONE_ANONYMOUS = {"auth.login", "auth.register", "auth.join", "pilot.verify", "pilot.verify_lookup",
                   "curriculum.home", "live.enter", "live.room"}


@pytest.fixture(scope="module")
def world_server(tmp_path_factory):
    """The security matrix's world (two cohorts, trainers, learners with work, a class session), served live."""
    world = build_world(tmp_path_factory.mktemp("a11y"))
    server = LiveServer(world.app).start()
    yield world, server
    server.stop()


def _visitors(endpoint: str) -> list[str]:
    """Return the roles that visit an endpoint in the sweep."""
    allowed = ACCESS[endpoint]
    if endpoint in EVERY_ROLE:
        return list(PREFERENCE)
    return [next(role for role in PREFERENCE if role in allowed)]


def html_pages(world) -> dict[str, list[tuple[str, str]]]:
    """Return, per role, the (endpoint, url) of every GET route that answers with an HTML page.

    Generated from the URL map; static files, POST-only routes and routes that answer with JSON, CSV or
    a file download are left out by asking the app what it sends back."""
    app = world.app
    clients = {}
    pages: dict[str, list[tuple[str, str]]] = {role: [] for role in PREFERENCE}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        url = _url(world, rule)
        for role in _visitors(rule.endpoint):
            if role not in clients:
                client = app.test_client()
                if role != "anonymous":
                    client.post("/auth/login", data={"email": world.emails[role], "password": PASSWORD})
                clients[role] = client
            response = clients[role].get(url, follow_redirects=True)
            disposition = response.headers.get("Content-Disposition", "")
            if response.mimetype == "text/html" and "attachment" not in disposition:
                assert response.status_code < 500, f"GET {url} as {role} gave {response.status_code}"
                pages[role].append((rule.endpoint, url))
    pages["anonymous"].append(("errors.not_found", "/no-such-page"))  # the error page is a page type too
    return pages


@pytest.fixture(scope="module")
def sweep(world_server):
    """The generated list of pages to check, per role."""
    world, _ = world_server
    with world.app.app_context():
        pages = html_pages(world)
    # The generator must find the app's page types, not a handful: guard against a filter gone wrong.
    assert len(pages["learner"]) >= 20 and len(pages["trainer"]) >= 12 and pages["admin"], {
        role: len(items) for role, items in pages.items()}
    return pages


@pytest.mark.parametrize("role, width", [("anonymous", 1280), ("learner", 1280), ("trainer", 1280), ("admin", 1280),
                                         ("learner", 360), ("trainer", 360), ("anonymous", 360)])
def test_every_page_type_has_no_wcag_violations(world_server, sweep, new_context, role, width):
    world, server = world_server
    pages = sweep[role]
    if width == 360 and role == "anonymous":
        pages = [(endpoint, url) for endpoint, url in pages if endpoint in PHONE_ANONYMOUS]
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    if role != "anonymous":
        browser_login(page, server.url, world.emails[role])
    failures = []
    for endpoint, url in pages:
        page.goto(server.url + url)
        page.wait_for_load_state("load")
        violations = axe_violations(page)
        if violations:
            failures.append(f"{endpoint} {url} as {role} at {width}px:\n{format_violations(violations)}")
    # A clean sweep must mean clean pages, not a silent checker: the same check finds a planted fault.
    page.evaluate("document.querySelector('main, body').insertAdjacentHTML('beforeend', '<img src=\"/no.png\">')")
    assert "image-alt" in {v["id"] for v in axe_violations(page)}
    assert not failures, f"{len(failures)} of {len(pages)} pages fail WCAG 2.1 A/AA:\n\n" + "\n\n".join(failures)


def test_sweep_covers_every_html_route_class(sweep):
    """Every endpoint a learner, trainer or admin reaches with GET shows up in the sweep (nothing silently lost)."""
    swept = {endpoint for items in sweep.values() for endpoint, _ in items}
    for expected in ("curriculum.module", "exercises.statement", "exercises.mapping", "review.set_screen",
                     "review.queue", "trainers.home", "notices.index", "cohorts.show", "classroom.console",
                     "classroom.screen", "live.room", "pilot.certificate",
                     "pilot.verify", "admin.users", "quizzes.take", "review.my_feedback", "auth.register"):
        assert expected in swept, f"{expected} was not swept"
    for skipped in ("review.progress_export", "review.queue_json", "xapi.export_cohort", "classroom.screen_poll"):
        assert skipped not in swept, f"{skipped} is not an HTML page but was swept"


def _draft(page, text: str) -> None:
    """Type a draft so the page's input handlers run."""
    box = page.locator("[data-text]")
    box.click()
    box.fill(text[:-1])
    box.press_sequentially(text[-1])


LIVE_REGION = "el => { const r = el.closest('[aria-live], [role=status], [role=alert], [role=log]'); " \
              "return r ? {live: r.getAttribute('aria-live'), role: r.getAttribute('role')} : null; }"


def test_flags_use_more_than_colour_and_status_messages_are_announced(world_server, new_context):
    world, server = world_server
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    browser_login(page, server.url, world.emails["other_learner"])
    page.goto(f"{server.url}/exercises/nguyen-family/write/harm/1")
    page.wait_for_load_state("load")
    _draft(page, "On Saturday Linh neglected Bao (9) and An (5) and they were alone all night.")

    # The autosave status is announced politely.
    saved = page.get_by_text(re.compile(r"^Saved \d\d:\d\d"))
    saved.wait_for()
    region = saved.evaluate(LIVE_REGION)
    assert region and (region["live"] in ("polite", "assertive") or region["role"] in ("status", "alert")), region

    # The grader's summary is announced when the report arrives.
    from playwright.sync_api import expect

    page.get_by_role("button", name="Check", exact=True).click()
    page.locator("[data-history-link]").filter(has_text="(1)").wait_for()
    page.locator("[data-report] .report").wait_for()
    summary = page.locator("[data-report-summary]")
    # The script empties the region and refills it so that a repeated summary is spoken again.
    expect(summary).to_have_text(re.compile(r"part|wording|ready|missing", re.I))
    region = summary.evaluate(LIVE_REGION)
    assert region and (region["live"] == "polite" or region["role"] == "status"), region

    # Each flagged word carries a cue besides its colour: an icon or label text, or an underline.
    flags = page.locator("[data-report] mark.flag")
    assert flags.count() >= 1
    for index in range(flags.count()):
        cues = flags.nth(index).evaluate("""mark => {
            const style = getComputedStyle(mark);
            const icon = mark.querySelector('.flag__icon');
            const iconShown = !!icon && icon.textContent.trim() !== '' && getComputedStyle(icon).display !== 'none'
                              && icon.getBoundingClientRect().width > 0;
            const hidden = Array.from(mark.querySelectorAll('.visually-hidden')).map(e => e.textContent).join('');
            return {word: mark.textContent, icon: iconShown, label: /flagged/i.test(hidden),
                    underline: style.textDecorationLine.includes('underline'),
                    border: parseFloat(style.borderBottomWidth) > 0};
        }""")
        assert cues["icon"] or cues["underline"] or cues["border"], f"flag marked by colour only: {cues}"
        assert cues["label"], f"flag has no text for screen readers: {cues}"

    # The trainer's rubric autosave message is announced too.
    trainer = new_context(viewport={"width": 1280, "height": 900}).new_page()
    browser_login(trainer, server.url, world.emails["trainer"])
    trainer.goto(f"{server.url}/review/{world.params['work_id']}")
    trainer.wait_for_load_state("load")
    trainer.locator("fieldset.rubric-row").first.get_by_label("Meets").check()
    status = trainer.locator("[data-save-status]").filter(has_text="Saved.")
    status.wait_for()
    region = status.evaluate(LIVE_REGION)
    assert region and (region["live"] == "polite" or region["role"] == "status"), region
