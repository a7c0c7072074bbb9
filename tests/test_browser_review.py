"""One whole set review in headless Chromium: queue, claim the set, select words and comment, rubric autosave,
one decision per statement sent together, the learner's notice;
axe-core on every trainer page. Set SOP_REVIEW_SHOTS=/some/dir to keep screenshots at 1280 and 360 px."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from course.extensions import db
from course.models import MappingAttempt, Work
from course.models.review import InlineComment, Review
from tests.conftest import browser_login
from tests.test_review import DANGER_TEXT, HARM_TEXT, submit_work

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SOP_REVIEW_SHOTS")

SELECT_ACROSS_LABEL = """() => {
  const segs = document.querySelectorAll('[data-statement] [data-start]');
  const range = document.createRange();
  range.setStart(segs[0].firstChild, 0);
  range.setEnd(segs[2].firstChild, ' Jayden'.length);   // crosses the F1 label after "neglected"
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}"""


def shoot(page, name: str) -> None:
    """Save full-page screenshots at desktop and phone widths when asked to."""
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def wait_until_saved(app, work_id: int, overall: str, tries: int = 100) -> None:
    """Wait until the autosave has stored the overall comment (a save already on its way may answer first)."""
    for _ in range(tries):
        with app.app_context():
            if db.session.scalar(select(Review.overall_comment).where(Review.work_id == work_id)) == overall:
                return
            db.session.remove()
        time.sleep(0.1)
    raise AssertionError(f"the autosave did not store {overall!r}")


@pytest.fixture
def scene(live_app, live_factory):
    """A trainer with a cohort of two learners: Alex submitted a harm and a danger statement, Sam a danger one."""
    trainer = live_factory.user("trainer", email="trainer@example.org", name="Dana Trainer")
    cohort = live_factory.cohort("Fresno, March", trainer_id=trainer)
    learner = live_factory.user("learner", email="alex@example.org", name="Alex Learner", cohort_id=cohort)
    other = live_factory.user("learner", email="sam@example.org", name="Sam Learner", cohort_id=cohort)
    work_id = submit_work(live_app, learner)
    danger_id = submit_work(live_app, learner, kind="danger", text=DANGER_TEXT)
    submit_work(live_app, other, kind="danger", text="The worker is worried about Jayden.")
    with live_app.app_context():
        db.session.add(MappingAttempt(user_id=learner, vignette_id="hill-family", placements={"f1": "danger"},
                                      correct=10, total=14))
        db.session.commit()
    return {"work": work_id, "danger": danger_id, "cohort": cohort, "learner": learner}


def test_one_whole_set_review(live_server, live_app, scene, page, assert_accessible):
    base = live_server.url
    browser_login(page, base, "trainer@example.org")
    page.goto(f"{base}/review/")
    assert_accessible(page, "review queue")
    shoot(page, "queue")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.hasAttribute('data-queue-link')")

    page.get_by_role("button", name="Claim The Hill family from Alex Learner").click()
    page.wait_for_url(f"{base}/review/sets/{scene['learner']}/hill-family")
    page.wait_for_load_state("load")  # review.js is deferred: let it attach its listeners
    assert page.get_by_text("You are reviewing this set.").is_visible()
    harm = page.locator(f"#work-{scene['work']}")
    danger = page.locator(f"#work-{scene['danger']}")

    page.evaluate(SELECT_ACROSS_LABEL)  # the first statement on the screen is the harm statement
    prefix = f"w{scene['work']}-comment-"
    page.wait_for_function(f"document.querySelector('input[name=\"{prefix}end\"]').value === '23'")
    assert page.input_value(f"input[name='{prefix}quote']") == "Marcus neglected Jayden"
    assert page.input_value(f"input[name='{prefix}start']") == "0"
    harm.get_by_label("Comment", exact=True).fill("Say what Marcus did that someone could have seen.")
    harm.get_by_role("button", name="Add comment").click()
    expect(harm.locator("[data-statement] .seg--comment").first).to_have_text("Marcus ")
    expect(harm.locator("[data-statement] a.ref--comment")).to_have_text(re.compile("C1$"))

    for row in harm.locator("fieldset.rubric-row").all():
        row.get_by_label("Meets").check()
    harm.locator("fieldset.rubric-row").nth(0).get_by_label("Partly").check()
    harm.get_by_label("Overall comment to the learner").fill("Clear about the injury; name the act.")
    page.wait_for_selector("[data-save-status]:has-text('Saved.')")
    wait_until_saved(live_app, scene["work"], "Clear about the injury; name the act.")  # the last save
    page.reload()
    assert harm.locator("fieldset.rubric-row").nth(0).get_by_label("Partly").is_checked()
    assert harm.get_by_label("Overall comment to the learner").input_value() == "Clear about the injury; name the act."
    assert_accessible(page, "set review screen")
    shoot(page, "set-review")

    # One decision per statement, sent together: accept the harm statement, return the danger statement.
    harm.get_by_label("Accept", exact=True).check()
    for row in danger.locator("fieldset.rubric-row").all():
        row.get_by_label("Partly").check()
    danger.get_by_label("Overall comment to the learner").fill("Say what you are worried will happen.")
    danger.get_by_label("Return for revision").check()
    page.get_by_role("button", name="Send decisions").click()
    page.wait_for_load_state()
    page.get_by_text("Sent: 1 statement accepted and 1 statement returned.").wait_for()
    with live_app.app_context():
        work = db.session.get(Work, scene["work"])
        review = db.session.query(Review).filter_by(work_id=scene["work"]).one()
        comment = db.session.query(InlineComment).one()
        assert work.status == "accepted" and review.decision == "accept" and review.score == pytest.approx(0.8)
        assert db.session.get(Work, scene["danger"]).status == "returned"
        assert (comment.start, comment.end, comment.quote) == (0, 23, HARM_TEXT[:23])

    for path, label in ((f"/review/sets/{scene['learner']}/hill-family", "decided set"),
                        ("/review/agreement", "agreement"),
                        (f"/review/cohorts/{scene['cohort']}/analytics", "analytics"), ("/review/bank", "bank"),
                        (f"/cohorts/{scene['cohort']}", "cohort"), (f"/cohorts/{scene['cohort']}/qr", "qr"),
                        ("/trainer/", "trainer home")):
        page.goto(base + path)
        assert_accessible(page, label)
        shoot(page, label.replace(" ", "-"))

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    browser_login(page, base, "alex@example.org")
    page.goto(f"{base}/")
    bell = page.locator(".bell--wide")
    assert bell.locator(".bell__count").inner_text().split() == ["1", "unread", "notice"]  # one for the whole set
    bell.click()
    page.get_by_text("The Hill family: 1 statement returned for revision").wait_for()
    assert_accessible(page, "notices")
    shoot(page, "notices")
    page.goto(f"{base}/review/mine/{scene['work']}")
    assert page.get_by_text("Accepted.").is_visible()
    assert_accessible(page, "learner feedback")
    shoot(page, "learner-feedback")


def test_the_closed_header_fits_one_row_on_a_phone(live_server, live_app, scene, page):
    """At 360 px the header (brand, bell, menu button) stays under 80 px on every page a trainer or learner uses."""
    base = live_server.url
    page.set_viewport_size({"width": 360, "height": 800})
    paths = {"trainer@example.org": ["/trainer/", "/review/", f"/review/sets/{scene['learner']}/hill-family",
                                     "/notices/", f"/cohorts/{scene['cohort']}", "/review/agreement"],
             "alex@example.org": ["/", "/exercises/", "/notices/", f"/review/mine/{scene['work']}"]}
    for email, urls in paths.items():
        browser_login(page, base, email)
        for path in urls:
            page.goto(base + path)
            height = page.locator("[data-site-header]").bounding_box()["height"]
            assert height <= 80, f"{path} as {email}: the header is {height:.0f} px tall"
        if email.startswith("trainer"):  # the rating row does not wrap on a phone
            page.goto(f"{base}/review/sets/{scene['learner']}/hill-family")
            with page.expect_navigation():
                page.get_by_role("button", name="Claim this set to review").click()
            page.wait_for_load_state()
            tops = {round(box["y"]) for box in (label.bounding_box() for label in
                                                page.locator(".rubric-row__scores").first.locator("label").all())}
            assert len(tops) == 1, f"the three scores wrap onto {len(tops)} rows"
        button = page.get_by_role("button", name="Menu")
        button.click()
        assert button.get_attribute("aria-expanded") == "true"
        assert page.get_by_role("link", name="Practice").is_visible()
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_load_state()
