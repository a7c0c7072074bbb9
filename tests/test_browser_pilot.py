"""A real browser: a learner rates a module, completes the course, prints the certificate; an admin reads
the pilot report; the public verification page. axe-core checks each page for WCAG 2.1 AA."""
import os
import re
from pathlib import Path

import pytest

from course.completion.services import required_modules
from course.extensions import db
from course.pilot.report import HIDDEN_NOTE
from course.quizzes.loader import get_quiz
from course.quizzes.services import POOL_ID
from tests.conftest import browser_login
from tests.test_browser_curriculum import answer
from tests.test_pilot_support import accept_works, add_evaluation, add_feedback, complete_modules

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("SOP_SHOTS_DIR", "/tmp/shots-pilot"))


def shoot(page, name):
    """Save a full-page screenshot for people to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page, label):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{label} scrolls sideways by {overflow}px"


@pytest.fixture
def nearly_done(live_app, live_server, live_factory):
    """A learner with every module but the last complete and an accepted set of statements."""
    cohort = live_factory.cohort("Pilot Bay Area")
    learner = live_factory.user("learner", cohort_id=cohort, name="Dana Rivera")
    with live_app.app_context():
        required = [m.id for m in required_modules()]
        complete_modules(learner, required[:-1])
        accept_works(learner)
    return live_server, live_factory.email(learner), required[-1]


def test_learner_rates_completes_and_prints_the_certificate(nearly_done, page, new_context, assert_accessible):
    server, email, last_module = nearly_done
    browser_login(page, server.url, email)
    page.goto(f"{server.url}/modules/{last_module}")
    feedback = page.locator("#feedback")
    feedback.get_by_role("group", name="How useful was this module for your work?").get_by_label("4").check()
    assert_accessible(page, "module page with feedback form")
    feedback.get_by_role("button", name="Send feedback").click()
    page.get_by_text("Choose a clarity rating from 1 to 5, or skip.").wait_for()
    assert_accessible(page, "feedback form with errors")
    page.get_by_role("group", name="How useful was this module for your work?").get_by_label("4").check()
    page.get_by_role("group", name="How clear was this module?").get_by_label("5").check()
    page.get_by_label("Comment (optional)").fill("The worked example helped.")
    page.get_by_role("button", name="Send feedback").click()
    page.get_by_text("you rated it 4 of 5 for usefulness and 5 of 5 for clarity").wait_for()

    # The last module counts once its check is passed; then the post-course check opens; then the evaluation
    # (declined here) is the last requirement.
    assert page.get_by_role("button", name=re.compile("Mark complete")).count() == 0
    page.locator(".module-check").get_by_role("link", name=re.compile("^Take the check")).click()
    page.wait_for_url("**/quizzes/**")
    page.wait_for_load_state()
    answer(page, get_quiz(page.url.rsplit("/", 1)[-1]), right=True)
    page.get_by_role("button", name="Check my answers").click()
    page.get_by_text(re.compile(r"You reached the 80% mark: .* is complete")).wait_for()
    page.goto(f"{server.url}/quizzes/{POOL_ID}/post")
    answer(page, get_quiz(POOL_ID), right=True)
    page.get_by_role("button", name="Check my answers").click()
    page.locator("#quiz-result").wait_for()
    page.goto(f"{server.url}/pilot/certificate")
    assert "Still missing: 1 of 4" in page.locator(".lede").inner_text()
    page.get_by_role("link", name=re.compile("Give the course evaluation")).click()
    page.get_by_role("button", name="I would rather not give an evaluation").click()
    page.wait_for_load_state()
    page.get_by_role("heading", name="Certificate of completion").wait_for()
    assert page.locator(".certificate__name").inner_text() == "Dana Rivera"
    code = page.locator(".certificate__code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert page.get_by_role("button", name="Print or save as PDF").is_visible()
    assert_accessible(page, "certificate")
    shoot(page, "certificate-1280")

    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("button", name="Print or save as PDF").is_visible()
    shoot(page, "certificate-print")
    pdf = page.pdf(format="Letter", landscape=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "the certificate should print on one page"
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "certificate.pdf").write_bytes(pdf)

    phone = new_context(viewport={"width": 360, "height": 740}).new_page()
    browser_login(phone, server.url, email)
    phone.goto(f"{server.url}/pilot/certificate")
    no_sideways_scroll(phone, "certificate at 360px")
    shoot(phone, "certificate-360")

    visitor = new_context(viewport={"width": 1280, "height": 900}).new_page()
    visitor.goto(f"{server.url}/verify/{code}")
    visitor.get_by_role("heading", name="Certificate verified").wait_for()
    assert "Dana Rivera" in visitor.content() and email not in visitor.content()
    assert_accessible(visitor, "verification page")
    shoot(visitor, "verify-ok")
    visitor.goto(f"{server.url}/verify/ZZZZ-ZZZZ-ZZZZ")
    visitor.get_by_role("heading", name="This certificate could not be verified").wait_for()
    assert_accessible(visitor, "verification failure page")
    shoot(visitor, "verify-unknown")


def test_learner_fills_in_the_evaluation(nearly_done, new_context, assert_accessible):
    server, email, _ = nearly_done
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    browser_login(page, server.url, email)
    page.goto(f"{server.url}/pilot/evaluation")
    assert_accessible(page, "evaluation form")
    no_sideways_scroll(page, "evaluation at 360px")
    page.get_by_role("button", name="Send evaluation").click()
    page.get_by_role("alert").wait_for()
    assert_accessible(page, "evaluation form with errors")
    shoot(page, "evaluation-errors-360")
    for group in page.locator("fieldset.objective").all():
        group.get_by_role("group", name="Before the course").get_by_label("2").check()
        group.get_by_role("group", name="Now").get_by_label("4").check()
    page.get_by_role("group", name="Overall, how useful").get_by_label("5").check()
    page.get_by_role("group", name="Would you recommend").get_by_label("Yes").check()
    page.get_by_role("button", name="Send evaluation").click()
    page.get_by_text("Your evaluation was saved").wait_for()


@pytest.fixture
def report_data(live_app, live_server, live_factory):
    """Two cohorts: one with enough responses to show, one too small to break down."""
    trainer = live_factory.user("trainer", name="Terry Trainer")
    big = live_factory.cohort("Pilot Central", trainer_id=trainer)
    small = live_factory.cohort("Pilot Mountain", trainer_id=trainer)
    comments = ["More practice time please", "The map exercise was the best part", "Slides were dense", "",
                "Clear examples"]
    with live_app.app_context():
        for index in range(6):
            learner = live_factory.user("learner", cohort_id=big)
            complete_modules(learner, [m.id for m in required_modules()][: 4 + index * 2])
            for module_id, base in (("mapping", 3), ("harm-statements", 4), ("key-terms", 2)):
                add_feedback(learner, big, module_id, min(5, base + index % 2), min(5, base + index % 3),
                             comment=comments[index % 5] if module_id == "mapping" else "")
            add_evaluation(learner, big, before=1 + index % 3, after=4 + index % 2,
                           recommend="yes" if index % 4 else "maybe",
                           keep="The practice cases", change="Shorter day one" if index % 2 else "")
        for _ in range(3):
            learner = live_factory.user("learner", cohort_id=small)
            add_feedback(learner, small, "mapping", 1, 1, comment="Small group secret")
        db.session.commit()
    admin = live_factory.user("admin")
    return live_server, live_factory.email(admin)


def test_admin_reads_the_pilot_report(report_data, page, new_context, assert_accessible):
    server, email = report_data
    browser_login(page, server.url, email)
    page.locator("summary", has_text="More").click()  # a trainer's wide header keeps the report under "More"
    page.get_by_role("link", name="Pilot report").click()
    page.get_by_role("heading", name="Pilot report", level=1).wait_for()
    for chart in ("Module ratings: usefulness and clarity", "Confidence before and after, per objective",
                  "Completion funnel: learners reaching each stage"):
        assert page.get_by_role("img", name=chart).count() == 1
    assert page.get_by_text("More practice time please").first.is_visible()
    assert_accessible(page, "pilot report")
    shoot(page, "report-1280")
    page.emulate_media(media="print")
    assert not page.locator(".report-filter").is_visible()
    shoot(page, "report-print")
    page.emulate_media(media="screen")

    page.get_by_label("Cohort", exact=True).select_option(label="Pilot Mountain")
    with page.expect_navigation():  # the filter is a GET form: read the page it leads to, not the one before
        page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "Small group secret" not in page.content()
    assert page.get_by_text(HIDDEN_NOTE).first.is_visible()
    assert_accessible(page, "pilot report, small cohort")

    phone = new_context(viewport={"width": 360, "height": 740}).new_page()
    browser_login(phone, server.url, email)
    phone.goto(f"{server.url}/pilot/report")
    no_sideways_scroll(phone, "report at 360px")
    shoot(phone, "report-360")
