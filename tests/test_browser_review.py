"""One whole review in headless Chromium: queue, claim, select words and comment, rubric autosave, accept;
axe-core on every trainer page. Set SOP_REVIEW_SHOTS=/some/dir to keep screenshots at 1280 and 360 px."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from course.extensions import db
from course.models import MappingAttempt, Work
from course.models.review import InlineComment, Review
from tests.conftest import browser_login
from tests.test_review import HARM_TEXT, submit_work

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


@pytest.fixture
def scene(live_app, live_factory):
    """A trainer with a cohort of two learners: one submitted harm statement, one returned."""
    trainer = live_factory.user("trainer", email="trainer@example.org", name="Dana Trainer")
    cohort = live_factory.cohort("Fresno, March", trainer_id=trainer)
    learner = live_factory.user("learner", email="alex@example.org", name="Alex Learner", cohort_id=cohort)
    other = live_factory.user("learner", email="sam@example.org", name="Sam Learner", cohort_id=cohort)
    work_id = submit_work(live_app, learner)
    submit_work(live_app, other, kind="danger", text="The worker is worried about Jayden.",
                report={"kind": "danger", "verdict": "revise", "components": [
                    {"id": "worried_who", "label": "Who is worried", "present": True, "evidence": [], "hint": ""},
                    {"id": "context", "label": "Trigger or situation", "present": False, "evidence": [], "hint": ""}],
                    "findings": [], "questions": [], "metrics": {}, "grader_version": "test"})
    with live_app.app_context():
        db.session.add(MappingAttempt(user_id=learner, vignette_id="hill-family", placements={"f1": "danger"},
                                      correct=10, total=14))
        db.session.commit()
    return {"work": work_id, "cohort": cohort}


def test_one_whole_review(live_server, live_app, scene, page, assert_accessible):
    base = live_server.url
    browser_login(page, base, "trainer@example.org")
    page.goto(f"{base}/review/")
    assert_accessible(page, "review queue")
    shoot(page, "queue")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.hasAttribute('data-queue-link')")

    page.get_by_role("button", name="Claim Harm Statement from Alex Learner").click()
    page.wait_for_url(f"{base}/review/{scene['work']}")
    page.wait_for_load_state("load")  # review.js is deferred: let it attach its listeners
    assert page.get_by_text("You are reviewing this.").is_visible()

    page.evaluate(SELECT_ACROSS_LABEL)
    page.wait_for_function("document.querySelector('input[name=\"comment-end\"]').value === '23'")
    assert page.input_value("input[name='comment-quote']") == "Marcus neglected Jayden"
    assert page.input_value("input[name='comment-start']") == "0"
    page.get_by_label("Comment", exact=True).fill("Say what Marcus did that someone could have seen.")
    page.get_by_role("button", name="Add comment").click()
    page.wait_for_load_state()
    assert page.locator("[data-statement] .seg--comment").first.text_content() == "Marcus "
    assert page.locator("[data-statement] a.ref--comment").text_content().endswith("C1")

    for row in page.locator("fieldset.rubric-row").all():
        row.get_by_label("Meets").check()
    page.locator("fieldset.rubric-row").nth(0).get_by_label("Partly").check()
    page.get_by_label("Overall comment to the learner").fill("Clear about the injury; name the act.")
    page.wait_for_selector("[data-save-status]:has-text('Saved.')")
    page.reload()
    assert page.locator("fieldset.rubric-row").nth(0).get_by_label("Partly").is_checked()
    assert page.get_by_label("Overall comment to the learner").input_value() == "Clear about the injury; name the act."
    assert_accessible(page, "review screen")
    shoot(page, "review")

    page.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    with live_app.app_context():
        work = db.session.get(Work, scene["work"])
        review = db.session.query(Review).one()
        comment = db.session.query(InlineComment).one()
        assert work.status == "accepted" and review.decision == "accept" and review.score == pytest.approx(0.8)
        assert (comment.start, comment.end, comment.quote) == (0, 23, HARM_TEXT[:23])

    for path, label in ((f"/review/{scene['work']}", "decided review"), ("/review/agreement", "agreement"),
                        (f"/review/cohorts/{scene['cohort']}/analytics", "analytics"), ("/review/bank", "bank"),
                        (f"/cohorts/{scene['cohort']}", "cohort"), (f"/cohorts/{scene['cohort']}/qr", "qr")):
        page.goto(base + path)
        assert_accessible(page, label)
        shoot(page, label.replace(" ", "-"))

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    browser_login(page, base, "alex@example.org")
    page.goto(f"{base}/review/mine/{scene['work']}")
    assert page.get_by_text("Accepted.").is_visible()
    assert_accessible(page, "learner feedback")
    shoot(page, "learner-feedback")
