"""A real browser: a learner with checked drafts reads their habits and growth, and a month after their
certificate answers the follow-up, seeing names masked before saving. axe-core checks each page (1280 and
360 px) for WCAG 2.1 AA, and screenshots go to SOP_SHOTS_DIR for people to look at."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from course.extensions import db
from course.models import User
from course.models.pilot import EvaluationDecline
from course.pilot.services import issue_if_complete
from tests.conftest import PASSWORD, Factory, LiveServer, browser_login, make_app
from tests.test_habits import ABUSED, DANGER, GRABBED, IN_BED, NEGLECTED, RUIZ_1, RUIZ_2, _check
from tests.test_pilot_support import accept_works, complete_modules, take_post_check

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("SOP_SHOTS_DIR", "/tmp/shots-loop"))
SIZES = {"wide": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 780}}


def shoot(page, name):
    """Save a full-page screenshot for people to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page, label):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{label} scrolls sideways by {overflow}px"


@pytest.fixture
def loop_world(tmp_path):
    """A served app with a learner who has four checked drafts and a certificate issued 30 days ago."""
    app = make_app(tmp_path)
    factory = Factory(app)
    learner = factory.user("learner", cohort_id=factory.cohort("Pilot North"), name="Rosa Diaz")
    client = app.test_client()
    client.post("/auth/login", data={"email": factory.email(learner), "password": PASSWORD})
    with app.app_context():
        from grader import load_pipeline

        load_pipeline()
    _check(client, "hill-family/write/harm/1", ABUSED, GRABBED)
    _check(client, "nguyen-family/write/harm/1", NEGLECTED, IN_BED)
    _check(client, "ruiz-family/write/harm/1", RUIZ_1, RUIZ_2)
    _check(client, "hill-family/write/danger/1", DANGER)
    with app.test_request_context():
        complete_modules(learner)
        take_post_check(learner)
        db.session.add(EvaluationDecline(user_id=learner))
        accept_works(learner, vignette_id="okafor-family", no_harm=True)  # the drafts above stay drafts
        certificate = issue_if_complete(db.session.get(User, learner))
        certificate.issued_at -= timedelta(days=30)
        db.session.commit()
    server = LiveServer(app).start()
    yield server, factory.email(learner)
    server.stop()


def test_habits_and_growth_in_a_browser(loop_world, new_context, assert_accessible):
    server, email = loop_world
    for size, viewport in SIZES.items():
        page = new_context(viewport=viewport).new_page()
        browser_login(page, server.url, email)
        page.goto(f"{server.url}/drills/habits")
        assert page.get_by_role("heading", name="Practise my habits").is_visible()
        assert "Because 3 of your last 4 drafts" in page.content()
        assert_accessible(page, f"habits at {size}")
        no_sideways_scroll(page, f"habits at {size}")
        shoot(page, f"habits-{size}")


def test_the_follow_up_in_a_browser(loop_world, new_context, assert_accessible):
    server, email = loop_world
    page = new_context(viewport=SIZES["phone"]).new_page()
    browser_login(page, server.url, email)
    page.get_by_role("link", name="answer the five-minute follow-up").click()
    assert_accessible(page, "follow-up form")
    for label in ("Mapping a family", "Harm statements", "Danger statements", "Safety goals",
                  "Solution-focused questions", "Three Houses"):
        page.get_by_label(label).select_option(index=2)
    page.get_by_label("Not enough time").check()
    page.get_by_label("Which kind of statement?").select_option("danger")
    page.get_by_label("One statement from your practice").fill(DANGER)
    page.get_by_role("button", name="Preview what will be kept").click()
    expect(page.get_by_role("heading", name="What will be kept")).to_be_visible()
    assert "[name 1]" in page.locator(".followup-preview").inner_text()
    assert_accessible(page, "follow-up preview")
    no_sideways_scroll(page, "follow-up preview")
    shoot(page, "follow-up-preview-phone")
    page.get_by_role("button", name="Save my answers").click()
    expect(page.locator("body")).to_contain_text("Thank you: your follow-up answers are kept.")
    assert "Dana Ortiz" not in page.locator("main").inner_text()
    assert_accessible(page, "follow-up answered")


def test_the_growth_section_of_the_pilot_report_in_a_browser(tmp_path, new_context, assert_accessible):
    from tests.test_growth_report import RUIZ_READY, _accepted
    from tests.test_habits import RUIZ_1, RUIZ_2

    app = make_app(tmp_path)
    factory = Factory(app)
    trainer = factory.user("trainer")
    cohort = factory.cohort("Pilot Growth", trainer_id=trainer)
    users = [factory.user("learner", cohort_id=cohort) for _ in range(5)]
    with app.app_context():
        from grader import load_pipeline

        load_pipeline()
        for index, user_id in enumerate(users):
            texts = [RUIZ_1, RUIZ_2, RUIZ_READY] if index == 4 else [ABUSED, GRABBED]
            _accepted(user_id, trainer, "ruiz-family" if index == 4 else "hill-family", texts, days=index + 1)
        db.session.commit()
    server = LiveServer(app).start()
    try:
        for size, viewport in SIZES.items():
            page = new_context(viewport=viewport).new_page()
            browser_login(page, server.url, factory.email(trainer))
            page.goto(f"{server.url}/pilot/report")
            section = page.locator("section", has=page.locator("#growth-title"))
            assert "3.8 → 4.0 → 4.0 of 4" in section.inner_text()  # first check → first sent → accepted
            assert_accessible(page, f"pilot report at {size}")
            no_sideways_scroll(page, f"pilot report at {size}")
            section.screenshot(path=str(SHOTS / f"growth-report-{size}.png"))
    finally:
        server.stop()
