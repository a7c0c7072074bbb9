"""Pages that scrolled sideways on a 360 px phone (found by an outsider's walk-through): the trainer's cohort list,
the classroom page's room addresses and a draft's version history. Sideways scrolling only shows in a browser."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 780}


def sideways(page) -> int:
    """How far the page scrolls sideways, in pixels."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_trainer_pages_fit_a_phone(live_server, live_factory, new_context, assert_accessible):
    trainer = live_factory.user("trainer", name="Dana Trainer")
    cohort = live_factory.cohort("Demo cohort", trainer_id=trainer)
    live_factory.user("learner", cohort_id=cohort)
    page = new_context(viewport=PHONE).new_page()
    browser_login(page, live_server.url, live_factory.email(trainer))
    for path in ("/cohorts/", "/classroom/"):
        page.goto(live_server.url + path)
        assert sideways(page) <= 0, f"{path} scrolls sideways by {sideways(page)}px at 360 px"
        assert_accessible(page, f"{path} at 360 px")


def test_version_history_fits_a_phone(live_server, live_factory, new_context, assert_accessible):
    learner = live_factory.user("learner", cohort_id=live_factory.cohort("Pilot North"))
    page = new_context(viewport=PHONE).new_page()
    browser_login(page, live_server.url, live_factory.email(learner))
    page.goto(live_server.url + "/exercises/hill-family/write/harm/1")
    draft = "On Saturday night Marcus grabbed Jayden (7) by the arm, leaving four bruises."
    page.get_by_label("Your draft").fill(draft)
    page.get_by_role("button", name="Check").first.click()
    expect(page.get_by_role("link", name="Version history (1)")).to_be_visible()
    page.goto(live_server.url + "/exercises/hill-family/write/harm/1/history")
    expect(page.get_by_role("heading", name="All versions")).to_be_visible()
    assert sideways(page) <= 0, f"the version history scrolls sideways by {sideways(page)}px at 360 px"
    assert_accessible(page, "version history at 360 px")


def test_an_overlong_verification_code_wraps_on_a_phone(live_server, new_context):
    page = new_context(viewport=PHONE).new_page()
    page.goto(f"{live_server.url}/verify/{'K7P2QX' * 8}")
    expect(page.get_by_text("No certificate has the code")).to_be_visible()
    assert sideways(page) <= 0, f"/verify with a long code scrolls sideways by {sideways(page)}px at 360 px"
