"""Growth under one grader version: `flask regrade-growth` grades kept versions again with the current grader
(batched, resumable, idempotent), pages never grade, and growth compares only pairs graded by the current grader,
saying how many drafts still wait."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from course.database import utcnow
from course.drills.growth import growth_report
from course.drills.habits import growth_now
from course.drills.regrade import current_grader, pending
from course.exercises.versions import summarise
from course.extensions import db
from course.grading import grade
from course.models import User, Work, WorkStatus, WorkVersion
from course.models.loop import RegradedSummary
from course.models.review import Review
from course.pilot.report import build_filter
from tests.test_habits import ABUSED, GRABBED, _check

OLD = "1.9.0"  # a grader version before the current one


def _old(summary: dict) -> dict:
    """Return a summary as an older grader might have left it: stamped old, and (wrongly) ready with every part."""
    parts = summary["components"]["present"] + summary["components"]["missing"]
    return {**summary, "grader_version": OLD, "verdict": "ready", "blocking": 0,
            "components": {"present": parts, "missing": []}}


def _accepted(user_id: int, trainer_id: int, stamps: tuple[str, str], vignette: str = "hill-family") -> int:
    """Keep ABUSED then GRABBED as versions, stamped with the given grader versions, and accept the second."""
    decided = utcnow()
    work = Work(user_id=user_id, vignette_id=vignette, kind="harm", position=1, status=WorkStatus.ACCEPTED.value,
                draft_text=GRABBED)
    db.session.add(work)
    db.session.flush()
    for number, (text, stamp) in enumerate(zip((ABUSED, GRABBED), stamps, strict=True), start=1):
        summary = summarise(grade("harm", text, vignette="hill-family"))
        source = "check" if number == 1 else "submit"
        db.session.add(WorkVersion(work_id=work.id, number=number, text=text, source=source,
                                   summary=summary if stamp == "now" else _old(summary),
                                   created_at=decided - timedelta(days=2)))
    db.session.flush()
    db.session.add(Review(work_id=work.id, version_id=work.versions[-1].id, trainer_id=trainer_id, decision="accept",
                          decided_at=decided))
    return work.id


def _report(app, admin_id: int):
    """The growth section's figures for an admin viewing everything."""
    with app.test_request_context():
        return growth_report(build_filter(db.session.get(User, admin_id), {}))


@pytest.fixture
def pilot(app, factory, nlp):
    """An admin, a trainer and a cohort of five learners."""
    admin, trainer = factory.user("admin"), factory.user("trainer")
    cohort = factory.cohort("Regrade cohort", trainer_id=trainer)
    return admin, trainer, [factory.user("learner", cohort_id=cohort) for _ in range(5)]


# stamps per learner's two versions; drafts waiting before the job; versions the job grades
CASES = [
    ([("now", "now")] * 5, 0, 0),
    ([("now", "now")] * 4 + [(OLD, "now")], 1, 1),
    ([(OLD, OLD)] * 5, 5, 10),
    ([(OLD, "now")] * 3 + [("now", OLD)] * 2, 5, 5),
]


@pytest.mark.parametrize("stamps, waiting, graded", CASES)
def test_growth_waits_for_the_current_grader_then_compares_like_with_like(app, runner, pilot, stamps, waiting, graded):
    admin, trainer, learners = pilot
    with app.app_context():
        for user_id, pair in zip(learners, stamps, strict=True):
            _accepted(user_id, trainer, pair)
        db.session.commit()
    before = _report(app, admin)
    assert (before.waiting, before.compared, before.grader) == (waiting, 5 - waiting, current_grader())
    with app.app_context():
        assert len(pending()) == graded

    result = runner.invoke(args=["regrade-growth", "--batch", "3"])
    assert result.exit_code == 0, result.output
    assert f"graded {graded} version(s) again, 0 refused" in result.output and "Still waiting: 0" in result.output

    after = _report(app, admin)
    assert (after.waiting, after.compared) == (0, 5)
    [cell] = after.cells
    # Under the current grader ABUSED is a label (1 blocking, not ready, a part missing) and GRABBED is ready;
    # the old summaries' "ready with every part" never reaches the figures.
    assert (cell.n, cell.blocking_first, cell.blocking_accepted, cell.ready_first, cell.ready_accepted) == (
        5, 1.0, 0.0, 0, 5)
    assert cell.grader_versions == {current_grader()}
    again = runner.invoke(args=["regrade-growth"])  # idempotent: nothing left, no second row
    assert "graded 0 version(s)" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(RegradedSummary.id))) == graded


def test_a_stopped_run_resumes_and_pages_never_grade(app, client, auth, runner, pilot):
    admin, trainer, learners = pilot
    with app.app_context():
        for user_id in learners:
            _accepted(user_id, trainer, (OLD, OLD))
        db.session.commit()
    auth.login(_email(app, admin))  # the report page counts what waits and grades nothing
    page = client.get("/pilot/report").get_data(as_text=True)
    assert "5 accepted statements are still waiting to be re-graded" in page
    assert "No accepted statement has been graded with checker" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(RegradedSummary.id))) == 0

    first = runner.invoke(args=["regrade-growth", "--limit", "4", "--batch", "3"])
    assert "graded 4 version(s) again" in first.output and "Still waiting: 6" in first.output
    assert "3 accepted statements are still waiting" in client.get("/pilot/report").get_data(as_text=True)
    second = runner.invoke(args=["regrade-growth"])
    assert "graded 6 version(s) again" in second.output and "Still waiting: 0" in second.output
    page = client.get("/pilot/report").get_data(as_text=True)
    assert "still waiting to be re-graded" not in page and "Harm Statements</th>" in page


def _email(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


def test_a_text_the_grader_refuses_is_kept_as_refused_not_waiting(app, runner, pilot):
    admin, trainer, learners = pilot
    with app.app_context():
        work_id = _accepted(learners[0], trainer, (OLD, "now"), vignette="a-case-no-longer-loaded")
        db.session.commit()
    result = runner.invoke(args=["regrade-growth"])
    assert "graded 0 version(s) again, 1 refused" in result.output and "refused in all: 1" in result.output
    assert "--retry-refused" in result.output
    report = _report(app, admin)
    assert (report.waiting, report.refused, report.compared) == (0, 1, 0)
    with app.app_context():
        row = db.session.scalar(select(RegradedSummary))
        assert row.summary is None and "a-case-no-longer-loaded" in row.error
        db.session.get(Work, work_id).vignette_id = "hill-family"  # the case is back: a retry grades it
        db.session.commit()
    retried = runner.invoke(args=["regrade-growth", "--retry-refused"])
    assert "graded 1 version(s) again, 0 refused" in retried.output
    assert _report(app, admin).compared == 1


@pytest.mark.parametrize("old_first, shown", [(False, True), (True, False)])
def test_the_learners_growth_counts_only_current_pairs(app, client, auth, factory, runner, nlp, old_first, shown):
    learner = factory.user("learner")
    auth.login(factory.email(learner))
    _check(client, "hill-family/write/harm/1", ABUSED, GRABBED)
    with app.app_context():
        first = db.session.scalar(select(WorkVersion).order_by(WorkVersion.number))
        if old_first:
            first.summary = _old(first.summary)
        db.session.commit()
        growth, waiting = growth_now(learner)
        assert (bool(growth), waiting.waiting) == (shown, int(not shown))
    page = client.get("/drills/habits").get_data(as_text=True)
    assert ("1 draft is still waiting to be re-graded" in page) is not shown
    assert ("a scheduled job re-grades it," in page) is not shown and "re-grades them" not in page  # one draft: it
    runner.invoke(args=["regrade-growth"])
    with app.app_context():
        growth, waiting = growth_now(learner)
        [row] = growth
        assert (waiting.waiting, row.drafts, row.ready_first, row.ready_latest, row.blocking_first) == (0, 1, 0, 1, 1)


def test_a_grader_outage_keeps_the_batches_already_done_and_the_next_run_finishes(app, runner, pilot, monkeypatch):
    from course.drills import regrade
    from course.grading import GradingUnavailable

    admin, trainer, learners = pilot
    with app.app_context():
        for user_id in learners:
            _accepted(user_id, trainer, (OLD, "now"))
        db.session.commit()
    real, calls = regrade.grade_draft, []

    def failing_after_three(*args, **kwargs):
        """The real grader for three texts, then an outage (the pipeline failed to load)."""
        calls.append(args)
        if len(calls) > 3:
            raise GradingUnavailable()
        return real(*args, **kwargs)

    monkeypatch.setattr(regrade, "grade_draft", failing_after_three)
    result = runner.invoke(args=["regrade-growth", "--batch", "2"])
    assert result.exit_code == 1 and "Run this again" in result.output
    with app.app_context():  # the first batch of two is kept; the failed batch left nothing behind
        assert db.session.scalar(select(func.count(RegradedSummary.id))) == 2
    monkeypatch.setattr(regrade, "grade_draft", real)
    assert "graded 3 version(s) again" in runner.invoke(args=["regrade-growth"]).output
    assert _report(app, admin).compared == 5


def test_the_first_submitted_version_is_graded_again_too(app, runner, pilot):
    admin, trainer, learners = pilot
    with app.app_context():
        for user_id in learners:
            work = db.session.get(Work, _accepted(user_id, trainer, ("now", "now")))
            # a submission sent back before the accepted one, stamped by the old grader
            returned = work.versions[0]
            db.session.add(WorkVersion(work_id=work.id, number=3, text=returned.text, source="submit",
                                       summary=_old(returned.summary), created_at=returned.created_at))
            work.versions[0].number, work.versions[1].number = 1, 4
            db.session.flush()
            db.session.expire(work)
        db.session.commit()
    before = _report(app, admin)
    assert (before.waiting, before.compared) == (5, 0)  # the sent-back version waits for the current grader
    result = runner.invoke(args=["regrade-growth"])
    assert result.exit_code == 0 and "graded 5 version(s) again" in result.output, result.output
    [cell] = _report(app, admin).cells
    # first check ABUSED, first sent ABUSED (re-graded: a label, not the old "ready"), accepted GRABBED
    assert (cell.n, cell.blocking_first, cell.blocking_submitted, cell.blocking_accepted) == (5, 1.0, 1.0, 0.0)
    assert (cell.ready_first, cell.ready_submitted, cell.ready_accepted, cell.versions) == (0, 0, 5, 3.0)
