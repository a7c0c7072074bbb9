"""The pilot report: anonymity thresholds, gains on known data, the funnel, filters and CSV exports."""
import csv
import io
import re

import pytest

from course.extensions import db
from course.models import ModuleProgress
from course.pilot import knowledge
from course.pilot.exports import safe_cell
from course.pilot.report import HIDDEN_NOTE, ReportFilter, build_report
from tests.test_pilot_support import (
    accept_works,
    add_evaluation,
    add_feedback,
    complete_modules,
    finish_everything_but_modules,
    take_post_check,
    utc,
)

MODULE = "mapping"


@pytest.fixture
def cohort(factory):
    """A trainer and their cohort; returns (trainer id, cohort id)."""
    trainer = factory.user("trainer")
    return trainer, factory.cohort("Pilot North", trainer_id=trainer)


def learners(factory, cohort_id, n):
    """Create n learners in the cohort."""
    return [factory.user("learner", cohort_id=cohort_id) for _ in range(n)]


def report_for(app, cohort_id=None, period=None):
    """Build the report as an admin would see it for one cohort."""
    from course.models import Cohort

    cohort = db.session.get(Cohort, cohort_id) if cohort_id else None
    return build_report(ReportFilter(cohorts=[cohort] if cohort else [], cohort=cohort, period=period,
                                     everything=cohort is None, admin=True))


def page(client, factory, user_id, **args):
    """Sign in and return the report page text."""
    client.post("/auth/login", data={"email": factory.email(user_id), "password": "correct horse battery"})
    response = client.get("/pilot/report", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("n, shown", [(4, False), (5, True)])
def test_module_ratings_need_five_responses(app, client, factory, cohort, n, shown):
    trainer, cohort_id = cohort
    with app.app_context():
        for index, user_id in enumerate(learners(factory, cohort_id, n)):
            add_feedback(user_id, cohort_id, MODULE, usefulness=4, clarity=2 + index % 2, comment=f"note {index}")
        row = next(r for r in report_for(app, cohort_id).modules if r.module_id == MODULE)
        assert row.n == n and row.hidden is not shown
        if shown:
            assert (row.usefulness, row.clarity) == (4.0, 2.4)
            assert sorted(row.comments) == [f"note {i}" for i in range(5)]
        else:
            assert (row.usefulness, row.clarity, row.comments) == (None, None, [])
    text = page(client, factory, trainer)
    assert ("note 0" in text) is shown
    assert ("2.4" in re.sub(r"<svg.*?</svg>", "", text, flags=re.S)) is shown  # not the header icons' numbers
    mapping_row = text.split('<th scope="row">Mapping')[1].split("</tr>")[0]
    assert (HIDDEN_NOTE in mapping_row) is not shown


@pytest.mark.parametrize("n, shown", [(4, False), (5, True)])
def test_evaluation_needs_five_responses(app, client, factory, cohort, n, shown):
    trainer, cohort_id = cohort
    with app.app_context():
        for user_id in learners(factory, cohort_id, n):
            add_evaluation(user_id, cohort_id, before=2, after=4, keep="More practice time")
        summary = report_for(app, cohort_id).evaluation
        assert summary.n == n and summary.hidden is not shown
        assert bool(summary.objectives) is shown
    text = page(client, factory, trainer)
    assert ("Confidence per objective (retrospective" in text) is shown
    assert ("More practice time" in text) is shown
    assert (f"{n} evaluations so far: {HIDDEN_NOTE}" in text) is not shown


def test_confidence_gain_per_objective_on_known_data(app, factory, cohort):
    _, cohort_id = cohort
    pairs = [(1, 4), (2, 4), (2, 5), (3, 3), (1, 2)]  # before, after for objective 9; gains 3, 2, 3, 0, 1
    with app.app_context():
        from course.models.pilot import CourseEvaluation

        for user_id, (before, after) in zip(learners(factory, cohort_id, 5), pairs, strict=True):
            confidence = {str(n): {"before": 3, "after": 3} for n in range(1, 11)}
            confidence["9"] = {"before": before, "after": after}
            db.session.add(CourseEvaluation(user_id=user_id, cohort_id=cohort_id, confidence=confidence, usefulness=5,
                                            recommend="yes"))
        db.session.commit()
        rows = {o.number: o for o in report_for(app, cohort_id).evaluation.objectives}
    assert (rows[9].n, rows[9].before, rows[9].after, rows[9].gain) == (5, 1.8, 3.6, 1.8)
    assert (rows[1].before, rows[1].after, rows[1].gain) == (3.0, 3.0, 0.0)


def _quiz_attempt(user_id, kind, score, max_score=10):
    from course.models.quizzes import QuizAttempt
    from course.quizzes.services import POOL_ID

    db.session.add(QuizAttempt(user_id=user_id, quiz_id=POOL_ID, kind=kind, answers={}, item_scores={}, item_order=[],
                               score=score, max_score=max_score))


def test_knowledge_gain_on_known_data(app, factory, cohort):
    pytest.importorskip("course.quizzes.services")
    _, cohort_id = cohort
    scores = [(4, 8), (5, 9), (6, 6), (3, 9), (7, 10)]  # percent gains 40, 40, 0, 60, 30 -> mean 34
    with app.app_context():
        ids = learners(factory, cohort_id, 6)
        for user_id, (pre, post) in zip(ids, scores, strict=False):
            _quiz_attempt(user_id, "pre", pre)
            _quiz_attempt(user_id, "post", post)
        _quiz_attempt(ids[5], "pre", 2)  # no post-check yet: not counted
        db.session.commit()
        for user_id, (before, after) in zip(ids, [(1, 3)] * 5, strict=False):
            add_evaluation(user_id, cohort_id, before, after)
        block = report_for(app, cohort_id).knowledge
    assert block.available
    assert ((block.everyone.n, block.everyone.mean_pre, block.everyone.mean_post, block.everyone.mean_gain)
            == (5, 50.0, 84.0, 34.0))
    assert not block.everyone_hidden
    assert block.evaluated.n == 5 and block.evaluated_confidence_gain == 2.0


def test_knowledge_gain_hides_groups_under_five(app, client, factory, cohort):
    pytest.importorskip("course.quizzes.services")
    trainer, cohort_id = cohort
    with app.app_context():
        for user_id in learners(factory, cohort_id, 4):
            _quiz_attempt(user_id, "pre", 5)
            _quiz_attempt(user_id, "post", 9)
        db.session.commit()
        block = report_for(app, cohort_id).knowledge
    assert block.everyone.n == 4 and block.everyone_hidden
    text = page(client, factory, trainer)
    knowledge_part = text.split('id="knowledge-title"')[1].split("</section>")[0]
    assert HIDDEN_NOTE in knowledge_part and "+40.0" not in knowledge_part


@pytest.mark.parametrize("value, expected", [
    (None, None),
    ({"pre_percent": 40, "post_percent": 70}, (30.0, 40.0, 70.0)),
    ({"pre": 0.25, "post": 0.75}, (50.0, 25.0, 75.0)),
    (12, (12.0, None, None)),
    ({"pre_percent": 50, "post_percent": None}, None),
])
def test_knowledge_adapter_reads_the_shapes_it_documents(value, expected):
    result = knowledge.normalise(7, value)
    assert (None if result is None else (result.gain, result.pre, result.post)) == expected


def test_comments_carry_no_names_and_no_submission_order(app, client, factory, cohort):
    trainer, cohort_id = cohort
    texts = ["Loved the Hill case", "Slides were dense", "More time for mapping", "Clear examples", "Too fast"]
    with app.app_context():
        ids = learners(factory, cohort_id, 5)
        for user_id, text in zip(ids, texts, strict=True):
            add_feedback(user_id, cohort_id, MODULE, 4, 4, comment=text)
        first = next(r for r in report_for(app, cohort_id).modules if r.module_id == MODULE).comments
        from course.models.pilot import ModuleFeedback

        db.session.query(ModuleFeedback).delete()
        db.session.commit()
        for user_id, text in zip(reversed(ids), reversed(texts), strict=True):
            add_feedback(user_id, cohort_id, MODULE, 4, 4, comment=text)
        second = next(r for r in report_for(app, cohort_id).modules if r.module_id == MODULE).comments
    assert first == second and sorted(first) == sorted(texts)
    assert first != texts and first != texts[::-1]
    text = page(client, factory, trainer)
    for number in range(3, 8):  # the learners' display names: "Learner 3" ...
        assert f"Learner {number}" not in text
    assert "learner3@example.org" not in text


def test_funnel_counts_each_stage(app, factory, cohort):
    _, cohort_id = cohort
    with app.app_context():
        from course.completion.services import required_modules
        from course.models import User
        from course.pilot.services import issue_if_complete

        ids = learners(factory, cohort_id, 6)
        required = [m.id for m in required_modules()]
        db.session.add(ModuleProgress(user_id=ids[0], module_id=required[0], last_position=""))  # started only
        complete_modules(ids[1], required[: (len(required) + 1) // 2])  # half
        complete_modules(ids[2])  # all modules, no exercises
        complete_modules(ids[3])
        accept_works(ids[3], kinds=("harm", "danger", "safety_goal"))  # one short
        complete_modules(ids[4])
        accept_works(ids[4], vignette_id="okafor-family", no_harm=True)
        take_post_check(ids[4])
        add_evaluation(ids[4], cohort_id, 2, 4)
        issue_if_complete(db.session.get(User, ids[4]))
        db.session.commit()
        funnel = {key: count for key, _, count in report_for(app, cohort_id).funnel}
    assert funnel == {"joined": 6, "started": 5, "half": 4, "all": 3, "exercises": 1, "certificate": 1}


def test_month_limits_responses(app, factory, cohort):
    _, cohort_id = cohort
    with app.app_context():
        ids = learners(factory, cohort_id, 10)
        for user_id in ids[:5]:
            add_feedback(user_id, cohort_id, MODULE, 5, 5, when=utc(2027, 3, 1))
        for user_id in ids[5:]:
            add_feedback(user_id, cohort_id, MODULE, 1, 1, when=utc(2027, 4, 30))
        march = report_for(app, cohort_id, period="2027-03")
        everything = report_for(app, cohort_id)
        may = report_for(app, cohort_id, period="2027-05")

    def row(report):
        return next(r for r in report.modules if r.module_id == MODULE)

    assert (row(march).n, row(march).usefulness) == (5, 5.0)
    assert (row(everything).n, row(everything).usefulness) == (10, 3.0)
    assert row(may).n == 0 and row(may).hidden


def test_trainers_see_only_their_own_cohorts(app, client, factory, cohort):
    trainer, cohort_id = cohort
    other_trainer = factory.user("trainer")
    other = factory.cohort("Pilot South", trainer_id=other_trainer)
    with app.app_context():
        for user_id in learners(factory, other, 5):
            add_feedback(user_id, other, MODULE, 1, 1, comment="Only the south sees this")
    text = page(client, factory, trainer)
    assert "Only the south sees this" not in text and "Pilot South" not in text
    response = client.get("/pilot/report", query_string={"cohort": other})
    assert response.status_code == 302
    assert "not one of yours" in client.get(response.location).get_data(as_text=True)
    assert client.get(f"/xapi/cohorts/{other}/statements.json").status_code == 403
    admin = factory.user("admin")
    client.post("/auth/logout")
    assert "Only the south sees this" in page(client, factory, admin)


def test_learners_cannot_open_the_report(client, factory, cohort):
    learner = factory.user("learner", cohort_id=cohort[1])
    client.post("/auth/login", data={"email": factory.email(learner), "password": "correct horse battery"})
    for url in ("/pilot/report", "/pilot/report/modules.csv", "/pilot/completions.csv"):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("args", [{"period": "2027-13"}, {"period": "March"}, {"start": "2027-05-01"}])
def test_bad_periods_are_explained(client, factory, cohort, args):
    client.post("/auth/login", data={"email": factory.email(cohort[0]), "password": "correct horse battery"})
    response = client.get("/pilot/report", query_string=args, follow_redirects=True)
    assert "Period list" in response.get_data(as_text=True)


@pytest.mark.parametrize("value, expected", [
    ("=SUM(A1:A2)", "'=SUM(A1:A2)"), ("+1", "'+1"), ("-2", "'-2"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
    ("plain", "plain"), ("a=b", "a=b"), (-2.5, -2.5), (3, 3), (None, ""),
])
def test_csv_cells_are_safe_from_formulas(value, expected):
    assert safe_cell(value) == expected


def _csv(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_report_csv_exports_keep_thresholds_and_guard_formulas(app, client, factory, cohort):
    trainer, cohort_id = cohort
    with app.app_context():
        for user_id in learners(factory, cohort_id, 5):
            add_feedback(user_id, cohort_id, MODULE, 4, 5, comment="=HYPERLINK(\"http://x\")")
        add_feedback(factory.user("learner", cohort_id=cohort_id), cohort_id, "icpm", 2, 2)
    client.post("/auth/login", data={"email": factory.email(trainer), "password": "correct horse battery"})
    rows = _csv(client.get("/pilot/report/modules.csv", query_string={"cohort": cohort_id}))
    assert rows[0] == ["module_id", "module", "responses", "mean_usefulness", "mean_clarity", "note"]
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id[MODULE][2:5] == ["5", "4.0", "5.0"]
    assert by_id["icpm"][3:] == ["", "", HIDDEN_NOTE]
    comments = _csv(client.get("/pilot/report/comments.csv"))
    assert comments[1][1].startswith("'=HYPERLINK")
    funnel = _csv(client.get("/pilot/report/funnel.csv"))
    assert funnel[1][:3] == ["joined", "Joined a cohort", "6"]
    assert client.get("/pilot/report/secrets.csv").status_code == 404


def test_completions_csv_lists_certificates_with_hours(app, client, factory, cohort):
    trainer, cohort_id = cohort
    with app.app_context():
        from course.models import User
        from course.pilot.services import issue_if_complete

        learner = factory.user("learner", cohort_id=cohort_id, name="=Jo Example")
        complete_modules(learner)
        finish_everything_but_modules(learner)
        cert = issue_if_complete(db.session.get(User, learner))
        db.session.commit()
        code, hours = cert.code, cert.hours
    client.post("/auth/login", data={"email": factory.email(trainer), "password": "correct horse battery"})
    rows = _csv(client.get("/pilot/completions.csv"))
    assert rows[0][:6] == ["name", "email", "cohort", "course", "completed_on", "hours"]
    assert rows[1][0] == "'=Jo Example" and rows[1][2] == "Pilot North"
    assert float(rows[1][5]) == hours and rows[1][6] == code and rows[1][7].endswith(f"/verify/{code}")
