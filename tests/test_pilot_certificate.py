"""Completion and certificates: issued only on real completion, verifiable by code, nothing more shown."""
import re

import pytest
from sqlalchemy import func, select

from course.curriculum.services import all_modules
from course.events import work_accepted
from course.extensions import db
from course.models import User, Work, WorkStatus
from course.models.pilot import Certificate
from course.models.xapi import XapiStatement
from course.pilot.services import (
    CODE_ALPHABET,
    CODE_LENGTH,
    issue_if_complete,
    normalise_code,
    required_modules,
    round_half,
)
from tests.test_pilot_support import accept_works, complete_modules


@pytest.fixture
def learner(factory):
    """A learner in a cohort; returns their id."""
    cohort_id = factory.cohort("Pilot East")
    return factory.user("learner", cohort_id=cohort_id, name="Dana Rivera")


def certificates(app):
    with app.app_context():
        return db.session.scalars(select(Certificate)).all()


def statements(app, verb):
    with app.app_context():
        return db.session.scalars(select(XapiStatement).where(XapiStatement.verb == verb)).all()


def test_completing_the_last_module_issues_the_certificate(app, client, auth, factory, learner):
    with app.app_context():
        required = [m.id for m in required_modules()]
        complete_modules(learner, required[:-1])
        accept_works(learner)
        assert issue_if_complete(db.session.get(User, learner)) is None
    assert certificates(app) == []
    auth.login(factory.email(learner))
    assert client.post(f"/modules/{required[-1]}/complete").status_code == 302
    [cert] = certificates(app)
    assert cert.user_id == learner and cert.name == "Dana Rivera" and cert.course == "SOP Foundations"
    assert len(cert.code) == CODE_LENGTH and set(cert.code) <= set(CODE_ALPHABET)
    completed_course = [s for s in statements(app, "completed") if s.statement["object"]["id"].endswith("/course")]
    assert len(completed_course) == 1 and completed_course[0].status == "pending"
    page = client.get("/pilot/certificate").get_data(as_text=True)
    assert "Certificate of completion" in page and "Dana Rivera" in page
    assert "-".join(re.findall(".{4}", cert.code)) in page


def test_acceptance_of_the_last_exercise_issues_the_certificate(app, learner):
    """Receivers add the certificate and xAPI rows to the deciding view's transaction; its one commit stores them."""
    with app.app_context():
        complete_modules(learner)
        works = accept_works(learner, kinds=("harm", "danger", "safety_goal"))
        last = Work(user_id=learner, vignette_id="hill-family", kind="sf_question", position=1,
                    status=WorkStatus.IN_REVIEW.value)
        db.session.add(last)
        db.session.commit()
        assert len(works) == 3
        last_id = last.id

    def decide_and_announce():
        """What the review view does: accept (flushed, not committed), then send work_accepted."""
        user = db.session.get(User, learner)
        work = db.session.get(Work, last_id)
        work.transition(WorkStatus.ACCEPTED)
        db.session.flush()
        work_accepted.send(app, user=user, work=work, version=None, score=0.8)

    with app.test_request_context("/review/decide", method="POST"):
        decide_and_announce()
        db.session.rollback()  # a view that fails after the signal keeps nothing of it
    assert certificates(app) == [] and statements(app, "passed") == []
    with app.test_request_context("/review/decide", method="POST"):
        decide_and_announce()
        db.session.commit()  # the view's one commit
    [cert] = certificates(app)
    assert cert.user_id == learner
    passed = statements(app, "passed")
    assert len(passed) == 1 and passed[0].statement["result"]["score"] == {"scaled": 0.8}


@pytest.mark.parametrize("setup", ["modules_missing", "split_across_vignettes", "not_accepted", "prework_only"])
def test_no_certificate_without_real_completion(app, client, auth, factory, learner, setup):
    with app.app_context():
        required = [m.id for m in required_modules()]
        if setup == "modules_missing":
            complete_modules(learner, required[1:])
            accept_works(learner)
        elif setup == "split_across_vignettes":
            complete_modules(learner)
            accept_works(learner, "hill-family", kinds=("harm", "danger"))
            accept_works(learner, "nguyen-family", kinds=("safety_goal", "sf_question"))
        elif setup == "not_accepted":
            complete_modules(learner)
            for work in accept_works(learner):
                work.status = WorkStatus.SUBMITTED.value
            db.session.commit()
        else:
            complete_modules(learner, [m.id for m in all_modules() if m.prework])
            accept_works(learner)
    auth.login(factory.email(learner))
    page = client.get("/pilot/certificate").get_data(as_text=True)
    assert "What the certificate needs" in page
    assert "Harm Statement (or an accepted" in page  # the requirement is documented on the page
    assert certificates(app) == []


def test_danger_only_case_counts_with_an_accepted_no_harm_judgement(app, learner):
    with app.app_context():
        complete_modules(learner)
        accept_works(learner, "okafor-family", no_harm=True)
        assert issue_if_complete(db.session.get(User, learner)) is not None


def test_prework_is_optional_but_counts_toward_hours(app, learner):
    with app.app_context():
        complete_modules(learner)
        accept_works(learner)
        required_minutes = sum(m.minutes for m in required_modules())
        prework = [m for m in all_modules() if m.prework]
        complete_modules(learner, [m.id for m in prework])
        cert = issue_if_complete(db.session.get(User, learner))
        db.session.commit()
        expected = round_half((required_minutes + sum(m.minutes for m in prework)) / 60)
        assert cert.hours == expected


@pytest.mark.parametrize(
    "hours, expected", [(7.24, 7.0), (7.25, 7.5), (7.5, 7.5), (7.74, 7.5), (7.75, 8.0), (0.2, 0.0)]
)
def test_hours_round_to_the_nearest_half(hours, expected):
    assert round_half(hours) == expected


def test_issuing_is_idempotent(app, learner):
    with app.app_context():
        complete_modules(learner)
        accept_works(learner)
        user = db.session.get(User, learner)
        first = issue_if_complete(user)
        db.session.commit()
        again = issue_if_complete(user)
        db.session.commit()
        assert first.id == again.id
        assert db.session.scalar(select(func.count(Certificate.id))) == 1
    assert len([s for s in statements(app, "completed") if s.statement["object"]["id"].endswith("/course")]) == 1


def _issued(app, learner):
    with app.app_context():
        complete_modules(learner)
        accept_works(learner)
        cert = issue_if_complete(db.session.get(User, learner))
        db.session.commit()
        return cert.code, cert.hours, cert.issued_at


def test_verify_confirms_name_course_hours_and_date_only(app, client, factory, learner):
    code, hours, issued_at = _issued(app, learner)
    response = client.get(f"/verify/{code}")  # signed out: the page is public
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Certificate verified" in page
    for shown in ("Dana Rivera", "SOP Foundations", f"{hours:g}", issued_at.strftime("%-d %B %Y")):
        assert shown in page
    for hidden in (factory.email(learner), "Pilot East", "learner"):
        assert hidden not in page.split("<main")[1].split("</main>")[0]
    assert '<meta name="robots" content="noindex">' in page


def test_verify_accepts_the_printed_form_of_the_code(app, client, learner):
    code, _, _ = _issued(app, learner)
    printed = "-".join(re.findall(".{4}", code)).lower()
    assert client.get(f"/verify/{printed}").status_code == 200
    assert normalise_code(printed) == code
    assert client.get("/verify", query_string={"code": printed}).status_code == 302


@pytest.mark.parametrize("code", ["ABCDEFGHJKMN", "short", "0000-0000-0000", "'; DROP TABLE certificates;--"])
def test_unknown_code_is_not_verified(app, client, learner, code):
    _issued(app, learner)
    response = client.get(f"/verify/{code}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "could not be verified" in page and "Dana Rivera" not in page


def test_staff_have_no_certificate_page(client, auth, factory):
    trainer = factory.user("trainer")
    auth.login(factory.email(trainer))
    assert client.get("/pilot/certificate").status_code == 403


def test_the_certificate_page_only_reads_and_a_post_issues_one_that_is_due(app, client, auth, factory, learner):
    """Requirements met without a milestone signal (say, before certificates existed): GET offers, POST issues."""
    with app.app_context():
        complete_modules(learner)
        accept_works(learner)
    auth.login(factory.email(learner))
    page = client.get("/pilot/certificate").get_data(as_text=True)
    assert "You have met every requirement" in page and "Issue my certificate" in page
    assert certificates(app) == []  # the GET wrote nothing
    response = client.post("/pilot/certificate")
    assert response.status_code == 302 and response.location == "/pilot/certificate"
    [cert] = certificates(app)
    assert cert.user_id == learner
    assert "Certificate of completion" in client.get("/pilot/certificate").get_data(as_text=True)
