"""End-to-end trainer journey in a real browser with CSRF on: create a cohort, work the queue of family sets,
review with the rubric and an inline comment, return, see the resubmission first and pre-scored with its diff,
accept, then the debrief analytics, grader agreement and the progress CSV."""
from __future__ import annotations

import csv
import io
import re

import pytest

from course.extensions import db
from course.models import Cohort, MappingAttempt, Work
from tests.conftest import REPO, browser_login
from tests.test_review import revise_and_resubmit, submit_work

pytestmark = pytest.mark.browser

FIRST = "Marcus neglected Jayden on Saturday, and Jayden had bruises on his arm."
REVISED = "On Saturday evening Marcus grabbed Jayden (7) by the arm, and Jayden had four bruises on his arm."
DANGER = "The worker is worried about Jayden."
LEARNERS = ("Alex Moreno", "Sam Whitfield")


@pytest.fixture(scope="module", autouse=True)
def nlp():
    """Load the grader once; the seeded work carries real grader reports."""
    from grader import load_pipeline

    return load_pipeline()


def graded(kind: str, text: str) -> dict:
    """Return the real grader's report for a Hill family statement."""
    from course.grading import roster_for
    from course.vignettes import get_vignette
    from grader import grade

    return grade(kind, text, roster=roster_for(get_vignette("hill-family", str(REPO / "vignettes")))).to_dict()


def claim_from_queue(page, base: str, label: str) -> None:
    """Open the queue and claim the set whose Claim button names the label."""
    page.goto(f"{base}/review/")
    page.get_by_role("button", name=f"Claim {label}").click()
    page.get_by_text("You are reviewing this set.").wait_for()
    page.wait_for_load_state("load")  # review.js is deferred: let it attach its listeners


def score_all(section, score: str) -> None:
    """Choose the same score on every rubric row of one statement."""
    for row in section.locator("fieldset.rubric-row").all():
        row.get_by_label(score).check()


def test_trainer_creates_a_cohort_reviews_returns_accepts_and_reads_the_reports(
        live_app, live_server, live_factory, page, tmp_path, assert_accessible):
    base = live_server.url
    live_factory.user("trainer", email="terry.trainer@example.org", name="Terry Trainer")
    browser_login(page, base, "terry.trainer@example.org")

    # Create a cohort through the form and read its join code.
    page.goto(f"{base}/cohorts/new")
    page.get_by_label("Cohort name").fill("Chico, May")
    page.get_by_label("Day 1 date").fill("2027-05-03")
    page.get_by_label("Day 2 date").fill("2027-05-04")
    page.get_by_role("button", name="Save cohort").click()
    page.get_by_role("heading", name="Chico, May", level=1).wait_for()
    code = page.locator(".join-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4,16}", code)
    assert f"Its join code is {code}." in page.locator("body").inner_text()
    assert page.locator(".join-card__qr svg").count() == 1

    # Two learners join with that code and submit work. Their side is driven in a browser by
    # test_e2e_learner.py; here it is seeded in the database (with real grader reports) to keep the run short.
    with live_app.app_context():
        cohort = db.session.scalar(db.select(Cohort).filter_by(join_code=code))
        cohort_id = cohort.id
    alex = live_factory.user("learner", email="alex.moreno@example.org", name=LEARNERS[0], cohort_id=cohort_id)
    sam = live_factory.user("learner", email="sam.whitfield@example.org", name=LEARNERS[1], cohort_id=cohort_id)
    work_id = submit_work(live_app, alex, text=FIRST, report=graded("harm", FIRST))
    submit_work(live_app, sam, kind="danger", text=DANGER, report=graded("danger", DANGER))
    with live_app.app_context():
        db.session.add(MappingAttempt(user_id=sam, vignette_id="hill-family", placements={"f1": "danger"},
                                      correct=12, total=14, scale=4))
        db.session.commit()

    # The queue lists both sets, oldest first; the trainer home counts them; claim Alex's set.
    page.goto(f"{base}/review/?cohort={cohort_id}")
    items = page.locator("[data-queue-link]")
    assert items.count() == 2
    page.goto(f"{base}/trainer/")
    assert "2 family sets wait for review." in page.locator("main").inner_text()
    claim_from_queue(page, base, f"The Hill family from {LEARNERS[0]}")
    assert page.url.rstrip("/").endswith(f"/review/sets/{alex}/hill-family")
    harm = page.locator(f"#work-{work_id}")

    # An inline comment on the flagged word, typed into the no-script form fields.
    harm.get_by_label("Words to comment on").fill("neglected")
    harm.get_by_label("Comment", exact=True).fill("What did Marcus do that someone could have seen?")
    harm.get_by_role("button", name="Add comment").click()
    harm.locator("[data-statement] .seg--comment").first.wait_for()
    assert harm.locator("[data-statement] .seg--comment").first.inner_text() == "neglected"
    assert "What did Marcus do that someone could have seen?" in page.locator(f"#comments-{work_id}").inner_text()

    # Rubric scores; then return for revision, sent with the page's one button.
    score_all(harm, "Partly")
    harm.locator("fieldset.rubric-row").nth(0).get_by_label("Not yet").check()
    harm.get_by_label("Overall comment to the learner").fill("Name the act instead of the label.")
    harm.get_by_label("Return for revision").check()
    page.get_by_role("button", name="Send decisions").click()
    page.wait_for_load_state()
    page.get_by_text("Sent: 1 statement returned.").wait_for()
    with live_app.app_context():
        assert db.session.get(Work, work_id).status == "returned"

    # The learner revises and resubmits; it comes back first for this trainer, marked, with the earlier scores,
    # and the screen shows what changed since the return; the trainer accepts.
    revise_and_resubmit(live_app, work_id, REVISED, graded("harm", REVISED))
    page.goto(f"{base}/review/")
    first = page.locator(".queue__item").first
    assert LEARNERS[0] in first.inner_text() and "Resubmitted to you" in first.inner_text()
    claim_from_queue(page, base, f"The Hill family from {LEARNERS[0]}")
    harm = page.locator(f"#work-{work_id}")
    assert "Resubmitted after a return" in harm.inner_text()
    assert harm.locator("fieldset.rubric-row").nth(0).get_by_label("Not yet").is_checked()
    assert harm.get_by_label("Overall comment to the learner").input_value() == "Name the act instead of the label."
    diff = harm.locator("details.set-diff")
    assert "neglected" in " ".join(diff.locator("del").all_inner_texts())
    assert "grabbed" in " ".join(diff.locator("ins").all_inner_texts())
    assert diff.get_by_text("Name the act instead of the label.").is_visible()
    assert diff.get_by_text("What did Marcus do that someone could have seen?").is_visible()
    assert_accessible(page, "set review screen with the resubmission diff")
    score_all(harm, "Meets")
    harm.get_by_label("Accept", exact=True).check()
    page.get_by_role("button", name="Send decisions").click()
    page.wait_for_load_state()
    page.get_by_text("Sent: 1 statement accepted.").wait_for()
    with live_app.app_context():
        assert db.session.get(Work, work_id).status == "accepted"

    # The debrief charts (safe to project: no names) from the cohort page.
    page.goto(f"{base}/cohorts/{cohort_id}")
    page.get_by_role("link", name="Debrief charts").click()
    page.get_by_role("heading", name="Debrief: Chico, May").wait_for()
    body = page.locator("main").inner_text()
    for name in LEARNERS:
        assert name not in page.content()
    assert page.get_by_role("heading", name="Most frequent grader findings").is_visible()
    assert "Danger Statement" in body  # Sam's danger statement is missing parts
    page.get_by_role("heading", name="Mapping facts most often misplaced").wait_for()
    assert page.locator("section[aria-labelledby=facts-h] table tbody tr").count() >= 1
    assert_accessible(page, "debrief analytics with data")

    # Grader agreement: both decisions on Alex's harm statement are counted.
    page.goto(f"{base}/cohorts/{cohort_id}")
    page.get_by_role("link", name="Grader agreement").click()
    page.get_by_role("heading", name="How often trainers agree with the grader").wait_for()
    harm = page.locator("section.agreement", has=page.get_by_role("heading", name="Harm Statement"))
    assert re.search(r"\(\d of 2\)", harm.inner_text()), harm.inner_text()
    cells = [int(c) for c in re.findall(r"\d+", " ".join(harm.locator("tbody td").all_inner_texts()))]
    assert sum(cells) == 2
    assert_accessible(page, "grader agreement with decisions")

    # The progress CSV, downloaded through the link.
    page.goto(f"{base}/cohorts/{cohort_id}")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download progress (CSV)").click()
    download = info.value
    assert re.fullmatch(r"chico--may-progress-\d{4}-\d\d-\d\d\.csv", download.suggested_filename)
    path = tmp_path / "progress.csv"
    download.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    by_name = {row["Learner"]: row for row in rows}
    assert set(by_name) == set(LEARNERS)
    assert by_name[LEARNERS[0]]["Email"] == "alex.moreno@example.org"
    assert by_name[LEARNERS[0]]["Accepted"] == "1" and by_name[LEARNERS[0]]["Submitted"] == "0"
    assert "The Hill family: Harm Statement = Accepted" in by_name[LEARNERS[0]]["Statements"]
    assert by_name[LEARNERS[1]]["Submitted"] == "1"
    assert "12/14" in by_name[LEARNERS[1]]["Mapping scores"]
    assert by_name[LEARNERS[1]]["Modules done"] == "0"
