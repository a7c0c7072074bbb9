"""A real browser, against a live server with CSRF on: clicking through every module earns nothing and the
certificate page says exactly what is missing; a learner in a classroom cohort earns the certificate the honest
way (checks passed, the post check, the evaluation, an accepted set, the trainer's attendance record) with hours
that match attendance plus completed self-paced modules; a trainer revokes it and /verify says so."""
from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from course.completion.services import required_modules
from course.curriculum.services import all_modules, get_module
from course.extensions import db
from course.models import Cohort
from course.models.pilot import Certificate
from course.quizzes.loader import get_quiz
from course.quizzes.services import POOL_ID
from tests.conftest import browser_login
from tests.test_browser_curriculum import answer
from tests.test_pilot_support import accept_works, complete_modules

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("SOP_SHOTS_DIR", "/tmp/shots-cert"))
REASON = "Day 2 attendance was recorded for the wrong learner."


def shoot(page, name: str) -> None:
    """Save a full-page screenshot for people to look at (kept out of git)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page, label: str) -> None:
    """Assert the page fits the screen's width."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{label} scrolls sideways by {overflow}px"


def certificates(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Certificate.id)))


def test_clicking_through_every_module_earns_nothing_and_shows_what_is_missing(
        live_app, live_server, live_factory, new_context, assert_accessible):
    base = live_server.url
    cohort = live_factory.cohort("Self-paced spring")
    email = live_factory.email(live_factory.user("learner", name="Quinn Clicker", cohort_id=cohort))
    with live_app.app_context():
        modules = [(m.id, m.title) for m in all_modules()]
        required = [m.id for m in required_modules()]
        marked = [m.id for m in all_modules() if not m.quiz and m.id in required]
        first_check = next(get_module(m).quiz for m in required if m not in marked)
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    browser_login(page, base, email)

    # Through every module in order, pressing the main button where there is one, else "Next".
    page.get_by_role("link", name="Start the course").click()
    visited = []
    while True:
        visited.append(page.url.rsplit("/", 1)[-1].split("#")[0])
        mark = page.get_by_role("button", name=re.compile("^Mark complete"))
        if mark.count():
            with page.expect_navigation():
                mark.click()
            continue
        following = page.locator("a.pager__next")
        if not following.count():
            break
        with page.expect_navigation():
            following.click()
    assert visited == [module_id for module_id, _ in modules]
    assert certificates(live_app) == 0

    page.goto(f"{base}/pilot/certificate")
    assert page.get_by_role("heading", name="Certificate of completion").count() == 0
    assert page.locator(".lede").inner_text().endswith("Still missing: 4 of 4.")
    missing_modules = page.locator('[data-requirement="required_modules"] .requirement__todos a')
    titles = dict(modules)
    expected = [titles[m] for m in required if m not in marked]
    assert [text.split(":")[0] for text in missing_modules.all_inner_texts()] == [t.split(":")[0] for t in expected]
    assert all("Pass the knowledge check at 80% or better" in text for text in missing_modules.all_inner_texts())
    for key, href in (("post_check", f"/quizzes/{POOL_ID}/post"), ("evaluation", "/pilot/evaluation"),
                      ("accepted_set", "/exercises/")):
        link = page.locator(f'[data-requirement="{key}"] .requirement__todos a')
        assert link.count() == 1 and link.get_attribute("href") == href, key
    assert_accessible(page, "certificate requirements")
    shoot(page, "missing-1280")
    missing_modules.first.click()
    page.wait_for_url(f"**/quizzes/{first_check}")

    phone = new_context(viewport={"width": 360, "height": 740}).new_page()
    browser_login(phone, base, email)
    phone.goto(f"{base}/pilot/certificate")
    no_sideways_scroll(phone, "certificate requirements at 360px")
    assert_accessible(phone, "certificate requirements at 360px")
    shoot(phone, "missing-360")


def _fill_evaluation(page) -> None:
    """Answer every question of the course evaluation."""
    for group in page.locator("fieldset.scale").all():
        group.locator("input[type=radio]").nth(3).check()
    page.locator("fieldset.choice input[type=radio]").first.check()


def test_a_learner_earns_the_certificate_honestly_and_a_trainer_revokes_it(
        live_app, live_server, live_factory, new_context, assert_accessible):
    base = live_server.url
    trainer_id = live_factory.user("trainer", email="tess.trainer@example.org", name="Tess Trainer")
    cohort_id = live_factory.cohort("Redding, May", trainer_id=trainer_id)
    learner_id = live_factory.user("learner", name="Robin Castillo", cohort_id=cohort_id)
    live_factory.user("learner", name="Sky Other", cohort_id=cohort_id)
    with live_app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        cohort.day1_date, cohort.day2_date = datetime.date(2027, 5, 3), datetime.date(2027, 5, 10)
        db.session.commit()
        required = [m.id for m in required_modules()]
        # Cheap setup through the services for what other tests click through: every required module but the
        # last passed at its check, the pre-course check (Before You Begin's activity) and an accepted set.
        complete_modules(learner_id, required[:-1] + ["before-you-begin"])
        accept_works(learner_id, "okafor-family", no_harm=True)
        last, pool = get_module(required[-1]), get_quiz(POOL_ID)
        last_quiz = get_quiz(last.quiz)
        modules = all_modules()
        day_minutes = {d: sum(m.minutes for m in modules if m.day == d and not m.prework) for d in (1, 2)}
        prework_minutes = sum(m.minutes for m in modules if m.prework)
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    browser_login(page, base, live_factory.email(learner_id))

    # The last module: below the mark first (nothing counts), then passed on a retake.
    page.goto(f"{base}/modules/{last.id}")
    page.locator("#module-status").get_by_role("link", name="Take the knowledge check").click()
    answer(page, last_quiz, right=False)
    page.get_by_role("button", name="Check my answers").click()
    page.get_by_text("Not yet at the 80% mark.").wait_for()
    page.goto(f"{base}/modules/{last.id}")
    page.locator("#module-status").get_by_role("link", name="Retake the knowledge check").click()
    answer(page, last_quiz, right=True)
    page.get_by_role("button", name="Check my answers").click()
    page.get_by_text(f"You reached the 80% mark: {last.title} is complete.").wait_for()

    # The post-course check is open now; then the evaluation.
    page.goto(f"{base}/")
    page.get_by_role("link", name="Take the post-course check").click()
    answer(page, pool, right=True)
    page.get_by_role("button", name="Check my answers").click()
    page.locator("#quiz-result").wait_for()
    page.goto(f"{base}/pilot/evaluation")
    _fill_evaluation(page)
    page.get_by_role("button", name=re.compile("Send")).click()
    page.wait_for_url("**/pilot/certificate")

    # Only the trainer's record is missing, and the learner is told so, with whom to ask.
    assert page.locator(".lede").inner_text().endswith("Still missing: 1 of 5.")
    attendance = page.locator('[data-requirement="attendance"]')
    assert "Day 1: your trainer has not recorded" in attendance.inner_text()
    assert attendance.get_by_role("link").first.get_attribute("href") == "mailto:tess.trainer@example.org"
    assert certificates(live_app) == 0

    # The trainer keeps the register: Day 1 present; Day 2 partial, first with a mistake shown beside the row.
    trainer = new_context(viewport={"width": 1280, "height": 900}).new_page()
    browser_login(trainer, base, "tess.trainer@example.org")
    trainer.goto(f"{base}/cohorts/{cohort_id}")
    trainer.get_by_role("link", name="Attendance and certificates").click()
    assert_accessible(trainer, "attendance overview")
    trainer.get_by_role("link", name="Take the Day 1 register").click()
    trainer.get_by_role("group", name="Robin Castillo").get_by_label("Present").check()
    trainer.get_by_role("button", name="Save Day 1 attendance").click()
    trainer.get_by_text("Day 1 attendance saved for 1 learner.").wait_for()
    trainer.get_by_role("link", name="Take the Day 2 register").click()
    trainer.get_by_role("group", name="Robin Castillo").get_by_label("Partial").check()
    trainer.get_by_role("button", name="Save Day 2 attendance").click()
    trainer.get_by_text("Nothing was saved.").wait_for()
    assert_accessible(trainer, "register with an error")
    shoot(trainer, "register-error-1280")
    trainer.get_by_label("Minutes in class for Robin Castillo (partial day)").fill("200")
    trainer.get_by_role("button", name="Save Day 2 attendance").click()
    trainer.get_by_text("Day 2 attendance saved for 1 learner.").wait_for()
    shoot(trainer, "attendance-1280")

    # The certificate, with hours that are the attended minutes plus the completed self-paced modules.
    expected_minutes = day_minutes[1] + 200 + prework_minutes
    expected_hours = (expected_minutes // 30) / 2
    page.goto(f"{base}/pilot/certificate")
    page.get_by_role("heading", name="Certificate of completion").wait_for()
    assert page.locator(".certificate__name").inner_text() == "Robin Castillo"
    assert float(page.locator(".certificate__hours").inner_text()) == expected_hours
    assert page.locator(".hours-table tfoot td").inner_text() == str(expected_minutes)
    rows = page.locator(".hours-table tbody tr").all_inner_texts()
    assert any(f"{day_minutes[1]} of {day_minutes[1]}" in r for r in rows)
    assert any(f"200 of {day_minutes[2]}" in r for r in rows)
    code = page.locator(".certificate__code").inner_text()
    assert_accessible(page, "certificate with hours")
    shoot(page, "certificate-1280")
    with live_app.app_context():
        cert = db.session.scalar(select(Certificate))
        assert float(cert.hours) == expected_hours and cert.trainer == "Tess Trainer"

    visitor = new_context(viewport={"width": 360, "height": 740}).new_page()
    visitor.goto(f"{base}/verify/{code}")
    visitor.get_by_role("heading", name="Certificate verified").wait_for()
    facts = visitor.locator(".verify-facts").inner_text()
    assert "Robin Castillo" in facts and "Tess Trainer" in facts and f"{expected_hours:g}" in facts
    no_sideways_scroll(visitor, "verify at 360px")
    shoot(visitor, "verify-ok-360")

    # The trainer revokes it from the verification page, with a reason; the public page says so.
    trainer.goto(f"{base}/verify/{code}")
    trainer.get_by_label("Reason for revoking").fill(REASON)
    assert_accessible(trainer, "verify with the revoke form")
    shoot(trainer, "verify-revoke-form-1280")
    trainer.get_by_role("button", name="Revoke certificate").click()
    trainer.get_by_text("Certificate revoked. The verification page now says so").wait_for()
    visitor.reload()
    visitor.get_by_role("heading", name="Certificate revoked").wait_for()
    assert REASON in visitor.locator(".verify-facts").inner_text()
    assert "no longer valid proof of completion" in visitor.locator(".verify-result").inner_text()
    assert_accessible(visitor, "revoked certificate at 360px")
    no_sideways_scroll(visitor, "revoked verify at 360px")
    shoot(visitor, "verify-revoked-360")

    # The learner sees why, and that only new work counts toward a new certificate.
    page.goto(f"{base}/pilot/certificate")
    note = page.locator(".revoked-note").inner_text()
    assert REASON in note and "Only what you do" in note
    assert page.get_by_role("heading", name="Certificate of completion").count() == 0
    shoot(page, "revoked-learner-1280")

    for width in (1280, 360):
        wide = new_context(viewport={"width": width, "height": 900}).new_page()
        browser_login(wide, base, "tess.trainer@example.org")
        for path, name in ((f"/cohorts/{cohort_id}/attendance", "attendance"),
                           (f"/cohorts/{cohort_id}/attendance/day/2", "register")):
            wide.goto(base + path)
            no_sideways_scroll(wide, f"{name} at {width}px")
            if width == 360:
                assert_accessible(wide, f"{name} at 360px")
            shoot(wide, f"{name}-{width}")
