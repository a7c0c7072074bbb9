"""The account pages in a real browser, in the states the URL-map sweep cannot reach: axe-core (WCAG 2.1 A/AA)
at 1280 and 360 px, no sideways scrolling on a phone, and the password journeys working without JavaScript."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from course.auth.tokens import RESET, VERIFY, issue_token
from course.database import utcnow
from course.extensions import db
from course.models import Cohort, CohortInvitation, User
from tests.conftest import PASSWORD, browser_login

pytestmark = pytest.mark.browser
WIDTHS = (1280, 360)


@pytest.fixture
def scene(live_app, live_server, live_factory):
    """A cohort with an expired code and a pending invitation, a learner, an unverified learner, an admin."""
    trainer = live_factory.user("trainer", "tara@example.org", "Tara Trainer")
    invitee = live_factory.user("trainer", "nia@example.org", "Nia Invitee")
    cohort = live_factory.cohort("Fresno, March", "FRES26", trainer)
    learner = live_factory.user("learner", "rosa@example.org", "Rosa Diaz", cohort)
    live_factory.user("admin", "ada@example.org", "Ada Admin")
    with live_app.app_context():
        row = db.session.get(Cohort, cohort)
        row.created_by_id, row.day2_date = trainer, date.today() - timedelta(days=40)
        row.join_code_issued_at = utcnow() - timedelta(days=60)
        db.session.add(CohortInvitation(cohort_id=cohort, invitee_id=invitee, invited_by_id=trainer))
        unverified = User(email="new@example.org", display_name="Nora New", role="learner")
        unverified.set_password(PASSWORD)
        db.session.add(unverified)
        db.session.flush()
        reset_token = issue_token(db.session.get(User, learner), RESET, timedelta(hours=1))
        verify_token = issue_token(unverified, VERIFY, timedelta(hours=1))
        db.session.commit()
    return {"url": live_server.url, "cohort": cohort, "reset": reset_token, "verify": verify_token}


def _check(page, assert_accessible, label):
    assert_accessible(page, label)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{label}: the page scrolls sideways by {overflow}px"


def _visit(new_context, assert_accessible, base, path, label, email=None, action=None):
    for width in WIDTHS:
        page = new_context(viewport={"width": width, "height": 900}).new_page()
        if email:
            browser_login(page, base, email)
        page.goto(base + path)
        if action:
            action(page)
        _check(page, assert_accessible, f"{label} at {width}px")


def test_account_pages_pass_axe_at_both_widths(scene, new_context, assert_accessible, live_app):
    base = scene["url"]
    _visit(new_context, assert_accessible, base, "/auth/account", "account", "rosa@example.org")
    _visit(new_context, assert_accessible, base, "/auth/reset", "reset request")
    _visit(new_context, assert_accessible, base, "/auth/reset", "check your email",
           action=lambda page: (page.get_by_label("Email").fill("rosa@example.org"),
                                page.get_by_role("button", name="Send me a reset link").click(),
                                page.wait_for_load_state()))
    _visit(new_context, assert_accessible, base, f"/auth/reset/{scene['reset']}", "new password form")
    _visit(new_context, assert_accessible, base, "/auth/reset/not-a-token", "spent link")
    _visit(new_context, assert_accessible, base, f"/auth/verify/{scene['verify']}", "confirm email")
    _visit(new_context, assert_accessible, base, "/cohorts/invitations", "invitations", "nia@example.org")
    _visit(new_context, assert_accessible, base, f"/cohorts/{scene['cohort']}", "cohort with expired code",
           "tara@example.org")
    _visit(new_context, assert_accessible, base, "/admin/users", "accounts with switch-off", "ada@example.org")
    live_app.config["REQUIRE_EMAIL_VERIFICATION"] = True
    try:
        _visit(new_context, assert_accessible, base, "/auth/verify", "verification pending", "new@example.org")
    finally:
        live_app.config["REQUIRE_EMAIL_VERIFICATION"] = False


def test_changing_a_password_without_javascript(scene, new_context):
    page = new_context(viewport={"width": 360, "height": 800}, java_script_enabled=False).new_page()
    browser_login(page, scene["url"], "rosa@example.org")
    page.goto(scene["url"] + "/auth/account")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("Password123!")
    page.get_by_label("Repeat the new password").fill("Password123!")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("main")).to_contain_text("list of common passwords")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("kettle orbit maple lantern")
    page.get_by_label("Repeat the new password").fill("kettle orbit maple lantern")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("body")).to_contain_text("Your password is changed")


def test_a_reset_link_in_the_browser(scene, new_context):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{scene['url']}/auth/reset/{scene['reset']}")
    page.get_by_label("New password", exact=True).fill("kettle orbit maple lantern")
    page.get_by_label("Repeat the new password").fill("kettle orbit maple lantern")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.locator("body")).to_contain_text("Sign in with the new password")
    browser_login(page, scene["url"], "rosa@example.org", "kettle orbit maple lantern")
    assert "/auth/login" not in page.url
