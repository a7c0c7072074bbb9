"""A real browser: a learner turns on the weekly check, takes it when it falls due and reads their history; a
trainer prints the pilot report with its growth and use-in-practice sections. axe-core checks each page (1280 and
360 px) for WCAG 2.1 AA, and screenshots go to SOP_SHOTS_DIR for people to look at."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from course.extensions import db
from course.models.quizzes import WeeklyPlan
from course.quizzes.spacing import schedule_missed
from course.quizzes.weekly import WEEK
from tests.conftest import Factory, LiveServer, browser_login, make_app

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("SOP_SHOTS_DIR", "/tmp/shots-loop3"))
SIZES = {"wide": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 780}}


def shoot(page, name):
    """Save a full-page screenshot for people to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page, label):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{label} scrolls sideways by {overflow}px"


@pytest.fixture
def weekly_world(tmp_path):
    """A served app with two learners who each missed every item of the mapping check."""
    app = make_app(tmp_path)
    factory = Factory(app)
    learners = [factory.user("learner", name=f"Weekly {size}") for size in SIZES]
    with app.app_context():
        from course.quizzes.loader import get_quiz

        for user_id in learners:
            schedule_missed(user_id, "mapping", {item.id: 0.0 for item in get_quiz("mapping").items})
        db.session.commit()
    server = LiveServer(app).start()
    emails = dict(zip(SIZES, (factory.email(u) for u in learners), strict=True))
    yield app, server, emails, dict(zip(SIZES, learners, strict=True))
    server.stop()


def test_the_weekly_check_in_a_browser(weekly_world, new_context, assert_accessible):
    app, server, emails, ids = weekly_world
    for size, viewport in SIZES.items():
        page = new_context(viewport=viewport).new_page()
        browser_login(page, server.url, emails[size])
        page.goto(f"{server.url}/quizzes/weekly")
        expect(page.get_by_role("heading", name="Your weekly check is off")).to_be_visible()
        assert_accessible(page, f"weekly check off at {size}")
        page.get_by_role("button", name="Turn on the weekly check").click()
        expect(page.get_by_text("Weekly check on. Your first one is due")).to_be_visible()
        with app.app_context():
            db.session.get(WeeklyPlan, ids[size]).next_due_at -= WEEK + timedelta(minutes=1)
            db.session.commit()
        page.goto(f"{server.url}/quizzes/weekly")
        expect(page.locator("fieldset.quiz-item")).to_have_count(3)
        assert_accessible(page, f"weekly check due at {size}")
        no_sideways_scroll(page, f"weekly check due at {size}")
        shoot(page, f"weekly-due-{size}")
        for select in page.locator("form.quiz select").all():  # answer every question (right or not)
            select.select_option(index=1)
        names = page.locator("form.quiz input[type=radio], form.quiz input[type=checkbox]").evaluate_all(
            "inputs => [...new Set(inputs.map(i => i.name))]")
        for name in names:
            page.locator(f'form.quiz input[name="{name}"]').first.check()
        page.get_by_role("button", name="Check my answers").click()
        expect(page.get_by_role("heading", name="This week:")).to_be_visible()
        expect(page.locator("table.weekly-history tbody tr")).to_have_count(1)
        assert_accessible(page, f"weekly check done at {size}")
        no_sideways_scroll(page, f"weekly check done at {size}")
        shoot(page, f"weekly-done-{size}")


@pytest.fixture
def report_world(tmp_path):
    """A served app with a cohort of five learners, each with an accepted harm statement and a follow-up."""
    from tests.test_followup import _answer
    from tests.test_growth_report import RUIZ_READY, _accepted
    from tests.test_habits import ABUSED, GRABBED, RUIZ_1

    app = make_app(tmp_path)
    factory = Factory(app)
    trainer = factory.user("trainer")
    cohort = factory.cohort("Pilot Print", trainer_id=trainer)
    users = [factory.user("learner", cohort_id=cohort) for _ in range(5)]
    with app.app_context():
        for index, user_id in enumerate(users):
            if index == 4:
                _accepted(user_id, trainer, "ruiz-family", [RUIZ_1, RUIZ_READY], days=3)
            else:
                _accepted(user_id, trainer, "hill-family", [ABUSED, ABUSED, GRABBED], days=index + 1, sent=(2,))
            _answer(user_id, cohort, "several" if index % 2 else "once", index < 3)
        db.session.commit()
    server = LiveServer(app).start()
    yield server, factory.email(trainer)
    server.stop()


def test_the_report_prints_growth_and_use_in_practice(report_world, new_context, assert_accessible):
    server, email = report_world
    for size, viewport in SIZES.items():
        page = new_context(viewport=viewport).new_page()
        browser_login(page, server.url, email)
        page.goto(f"{server.url}/pilot/report")
        expect(page.get_by_role("link", name="Did drafts improve? Growth per statement kind (CSV)")).to_be_visible()
        expect(page.get_by_role("link", name="Use in practice, 30 days on (CSV)")).to_be_visible()
        assert_accessible(page, f"report at {size}")
        page.emulate_media(media="print")
        expect(page.get_by_role("heading", name="Did drafts improve?")).to_be_visible()
        expect(page.get_by_role("heading", name="Use in practice, 30 days on")).to_be_visible()
        expect(page.locator("section:has(#growth-title) tbody tr").filter(has_text="Harm Statements")).to_contain_text(
            "3.8 → 4.0 → 4.0 of 4")
        expect(page.get_by_text("5 learners answered the follow-up")).to_be_visible()
        expect(page.locator(".report-downloads")).to_be_hidden()  # the links are not printed
        shoot(page, f"report-print-{size}")
        for section in ("growth", "practice"):  # the two sections alone, legible at full size
            shot = SHOTS / f"report-print-{section}-{size}.png"
            page.locator(f"section:has(#{section}-title)").screenshot(path=str(shot))
