"""Certificates: issued only when every requirement in content/completion.yaml is met by the learner's records,
verifiable by code, revocable with a reason, and re-issued only after the learner completes again."""
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from course.completion.services import certificate_status, hours_earned, required_modules
from course.extensions import db
from course.models import Cohort, ModuleProgress, User, Work, WorkStatus
from course.models.attendance import Attendance
from course.models.pilot import Certificate, EvaluationDecline
from course.models.xapi import XapiStatement
from course.pilot.services import (
    CODE_ALPHABET,
    CODE_LENGTH,
    issue_if_complete,
    normalise_code,
    revoke,
)
from course.timezones import to_zone
from tests.conftest import PASSWORD
from tests.test_pilot_support import (
    accept_works,
    complete_modules,
    finish_everything_but_modules,
    take_check,
    take_post_check,
)


@pytest.fixture
def learner(factory):
    """A learner in a self-paced cohort (no classroom dates); returns their id."""
    trainer = factory.user("trainer", email="tess@example.org", name="Tess Trainer")
    cohort_id = factory.cohort("Pilot East", trainer_id=trainer)
    return factory.user("learner", cohort_id=cohort_id, name="Dana Rivera")


def certificates(app):
    with app.app_context():
        return db.session.scalars(select(Certificate)).all()


def statements(app, verb):
    with app.app_context():
        return db.session.scalars(select(XapiStatement).where(XapiStatement.verb == verb)).all()


def test_passing_the_last_check_issues_the_certificate(app, client, auth, factory, learner):
    with app.app_context():
        required = required_modules()
        complete_modules(learner, [m.id for m in required[:-1]])
        finish_everything_but_modules(learner)
        assert issue_if_complete(db.session.get(User, learner)) is None
        take_check(learner, required[-1].quiz, right=2)  # below the threshold: still nothing
        assert db.session.scalar(select(func.count(Certificate.id))) == 0
        take_check(learner, required[-1].quiz)  # a retake that passes
    [cert] = certificates(app)
    assert cert.user_id == learner and cert.name == "Dana Rivera" and cert.course == "SOP Foundations"
    assert cert.trainer == "Tess Trainer"
    assert len(cert.code) == CODE_LENGTH and set(cert.code) <= set(CODE_ALPHABET)
    completed_course = [s for s in statements(app, "completed") if s.statement["object"]["id"].endswith("/course")]
    assert len(completed_course) == 1
    auth.login(factory.email(learner))
    page = client.get("/pilot/certificate").get_data(as_text=True)
    assert "Certificate of completion" in page and "Dana Rivera" in page and "Tess Trainer" in page
    assert "-".join(re.findall(".{4}", cert.code)) in page


def test_clicking_mark_complete_on_every_module_earns_nothing(app, client, auth, factory, learner):
    with app.app_context():
        finish_everything_but_modules(learner)
        modules = [m.id for m in required_modules()]
    auth.login(factory.email(learner))
    for module_id in modules:
        response = client.post(f"/modules/{module_id}/complete")
        assert response.status_code == 302
    assert certificates(app) == []
    with app.app_context():
        status = certificate_status(db.session.get(User, learner))
        [missing] = status.missing
        assert missing.key == "required_modules"
        assert len(missing.todos) == len(modules) - 1  # only the module with no check or activity was marked
    page = client.get("/pilot/certificate").get_data(as_text=True)
    assert "Every required module complete" in page and "Pass the knowledge check at 80% or better" in page
    assert 'href="/quizzes/harm-statements"' in page


def test_an_old_complete_flag_on_a_module_with_a_check_is_not_trusted(app, learner):
    with app.app_context():
        finish_everything_but_modules(learner)
        for module in required_modules():
            db.session.add(ModuleProgress(user_id=learner, module_id=module.id, last_position="",
                                          completed_at=db.func.now()))
        db.session.commit()
        user = db.session.get(User, learner)
        assert issue_if_complete(user) is None
        assert not certificate_status(user).complete


@pytest.mark.parametrize("left_out, key, link", [
    ("post_check", "post_check", 'href="/quizzes/key-terms/post"'),
    ("evaluation", "evaluation", 'href="/pilot/evaluation"'),
    ("accepted_set", "accepted_set", 'href="/exercises/hill-family"'),
])
def test_each_missing_requirement_is_named_with_a_link(app, client, auth, factory, learner, left_out, key, link):
    with app.app_context():
        complete_modules(learner)
        if left_out != "post_check":
            take_post_check(learner)
        if left_out != "evaluation":
            db.session.add(EvaluationDecline(user_id=learner))
            db.session.commit()
        accept_works(learner, kinds=("harm", "danger", "safety_goal") if left_out == "accepted_set" else
                     ("harm", "danger", "safety_goal", "sf_question"))
        user = db.session.get(User, learner)
        assert issue_if_complete(user) is None
        assert [r.key for r in certificate_status(user).missing] == [key]
    auth.login(factory.email(learner))
    page = client.get("/pilot/certificate").get_data(as_text=True)
    assert "Still missing: 1 of 4" in page
    section = page.split(f'data-requirement="{key}"')[1].split("</li>\n    \n")[0]
    assert link in section and "Missing" in section
    assert certificates(app) == []


def test_certificate_page_get_writes_nothing_and_the_button_issues(app, client, auth, factory, learner):
    with app.app_context():
        complete_modules(learner)
        finish_everything_but_modules(learner)  # stored directly, so no event has issued it yet
    auth.login(factory.email(learner))
    page = client.get("/pilot/certificate").get_data(as_text=True)
    assert "Issue my certificate" in page and certificates(app) == []
    assert client.post("/pilot/certificate").status_code == 302
    assert len(certificates(app)) == 1


def test_declining_the_evaluation_counts(app, client, auth, factory, learner):
    with app.app_context():
        complete_modules(learner)
        take_post_check(learner)
        accept_works(learner)
    auth.login(factory.email(learner))
    assert "I would rather not give an evaluation" in client.get("/pilot/evaluation").get_data(as_text=True)
    client.post("/pilot/evaluation/decline")
    [cert] = certificates(app)
    assert cert.user_id == learner


def test_split_sets_and_unaccepted_work_do_not_count(app, learner):
    with app.app_context():
        complete_modules(learner)
        take_post_check(learner)
        db.session.add(EvaluationDecline(user_id=learner))
        accept_works(learner, "hill-family", kinds=("harm", "danger"))
        accept_works(learner, "nguyen-family", kinds=("safety_goal", "sf_question"))
        user = db.session.get(User, learner)
        assert issue_if_complete(user) is None
        for work in accept_works(learner, "ruiz-family"):
            work.status = WorkStatus.SUBMITTED.value
        db.session.commit()
        assert issue_if_complete(user) is None
        accept_works(learner, "okafor-family", no_harm=True)  # danger-only: an accepted "no harm" judgement
        assert issue_if_complete(user) is not None


def test_a_classroom_cohort_needs_the_trainers_record_for_both_days(app, factory):
    import datetime

    trainer = factory.user("trainer", name="Tess Trainer")
    cohort_id = factory.cohort("Redding, April", trainer_id=trainer)
    learner = factory.user("learner", cohort_id=cohort_id)
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        cohort.day1_date, cohort.day2_date = datetime.date(2027, 4, 6), datetime.date(2027, 4, 13)
        complete_modules(learner)
        finish_everything_but_modules(learner)
        user = db.session.get(User, learner)
        assert [r.key for r in certificate_status(user).missing] == ["attendance"]
        db.session.add(Attendance(cohort_id=cohort_id, user_id=learner, day=1, status="present"))
        db.session.add(Attendance(cohort_id=cohort_id, user_id=learner, day=2, status="absent"))
        db.session.commit()
        [attendance] = certificate_status(user).missing
        assert "Day 2: recorded as absent" in attendance.todos[0].text
        assert attendance.todos[0].href.startswith("mailto:")
        record = db.session.scalar(select(Attendance).filter_by(user_id=learner, day=2))
        record.status, record.minutes = "partial", 200
        db.session.commit()
        assert certificate_status(user).complete
        cert = issue_if_complete(user)
        db.session.commit()
        earned = hours_earned(user)
        assert earned.classroom and cert.hours == earned.hours


def test_verify_shows_name_course_hours_date_and_trainer_only(app, client, factory, learner):
    with app.app_context():
        complete_modules(learner)
        finish_everything_but_modules(learner)
        cert = issue_if_complete(db.session.get(User, learner))
        db.session.commit()
        code, hours = cert.code, cert.hours
        issued_on = to_zone(cert.issued_at, cert)  # the cohort's date, whoever looks and whatever UTC says
    response = client.get(f"/verify/{code}")  # signed out: the page is public
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    main = page.split("<main")[1].split("</main>")[0]
    assert "Certificate verified" in page
    for shown in ("Dana Rivera", "SOP Foundations", f"{hours:g}", f"{issued_on.day} {issued_on:%B %Y}", "Tess Trainer"):
        assert shown in main
    for hidden in (factory.email(learner), "Pilot East", "tess@example.org", "Revoke"):
        assert hidden not in main
    assert '<meta name="robots" content="noindex">' in page
    printed = "-".join(re.findall(".{4}", code)).lower()
    assert client.get(f"/verify/{printed}").status_code == 200 and normalise_code(printed) == code


@pytest.mark.parametrize("code", ["ABCDEFGHJKMN", "short", "0000-0000-0000", "'; DROP TABLE certificates;--"])
def test_unknown_code_is_not_verified(client, code):
    response = client.get(f"/verify/{code}")
    assert response.status_code == 404
    assert "could not be verified" in response.get_data(as_text=True)


def _issued_code(app, learner) -> str:
    with app.app_context():
        complete_modules(learner)
        finish_everything_but_modules(learner)
        cert = issue_if_complete(db.session.get(User, learner))
        db.session.commit()
        return cert.code


REASON = "Attendance on Day 2 was recorded in error."


@pytest.mark.parametrize("who, allowed", [("cohort_trainer", True), ("admin", True), ("other_trainer", False),
                                          ("learner", False)])
def test_only_the_cohorts_trainer_or_an_admin_can_revoke(app, client, auth, factory, learner, who, allowed):
    code = _issued_code(app, learner)
    emails = {"cohort_trainer": "tess@example.org", "learner": factory.email(learner),
              "admin": factory.email(factory.user("admin")), "other_trainer": factory.email(factory.user("trainer"))}
    auth.login(emails[who], PASSWORD)
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert ("Revoke this certificate" in page) is allowed
    response = client.post(f"/verify/{code}/revoke", data={"reason": REASON})
    with app.app_context():
        cert = db.session.scalar(select(Certificate))
        assert cert.revoked is allowed
        if allowed:
            assert response.status_code == 302
            assert cert.revoke_reason == REASON and cert.revoked_by_id is not None and cert.revoked_by_name
        else:
            assert response.status_code in (403, 404)


def test_a_revoked_certificate_shows_as_revoked_with_its_reason(app, client, auth, factory, learner):
    code = _issued_code(app, learner)
    auth.login("tess@example.org")
    assert client.post(f"/verify/{code}/revoke", data={"reason": "too short"}).status_code == 302
    assert "Certificate verified" in client.get(f"/verify/{code}").get_data(as_text=True)  # not revoked yet
    client.post(f"/verify/{code}/revoke", data={"reason": REASON})
    auth.logout()
    response = client.get(f"/verify/{code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Certificate revoked" in page and "Certificate verified" not in page
    assert REASON in page and "no longer valid proof of completion" in page and "Tess Trainer" in page
    assert "Revoked by" not in page  # who revoked is kept for staff, not shown to the public


def test_reissue_only_after_the_learner_completes_again(app, client, auth, factory, learner):
    code = _issued_code(app, learner)
    with app.app_context():
        user = db.session.get(User, learner)
        revoke(db.session.scalar(select(Certificate)), db.session.get(User, factory.user("admin")), REASON)
        db.session.commit()
        # Everything done before the revocation stays done for learning, but does not earn a new certificate.
        assert issue_if_complete(user) is None
        assert {r.key for r in certificate_status(user).missing} == set()  # without the cutoff it would pass
    auth.login(factory.email(learner))
    page = client.get("/pilot/certificate").get_data(as_text=True)
    assert "was revoked on" in page and REASON in page and "Still missing: 4 of 4" in page
    with app.app_context():
        complete_modules(learner)
        finish_everything_but_modules(learner, "nguyen-family")
        new = issue_if_complete(db.session.get(User, learner))
        db.session.commit()
        assert new is not None and new.code != code
    assert "Certificate revoked" in client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Certificate verified" in client.get(f"/verify/{new.code}").get_data(as_text=True)


def test_issuing_is_idempotent(app, learner):
    with app.app_context():
        complete_modules(learner)
        finish_everything_but_modules(learner)
        user = db.session.get(User, learner)
        first = issue_if_complete(user)
        db.session.commit()
        again = issue_if_complete(user)
        db.session.commit()
        assert first.id == again.id
        assert db.session.scalar(select(func.count(Certificate.id))) == 1


def test_staff_have_no_certificate_page(client, auth, factory):
    trainer = factory.user("trainer")
    auth.login(factory.email(trainer))
    assert client.get("/pilot/certificate").status_code == 403


def test_work_acceptance_can_be_the_last_requirement(app, learner):
    """Receivers add the certificate and xAPI rows to the deciding view's transaction; its one commit stores them."""
    from course.events import work_accepted

    with app.app_context():
        complete_modules(learner)
        take_post_check(learner)
        db.session.add(EvaluationDecline(user_id=learner))
        accept_works(learner, kinds=("harm", "danger", "safety_goal"))
        last = Work(user_id=learner, vignette_id="hill-family", kind="sf_question", position=1,
                    status=WorkStatus.IN_REVIEW.value)
        db.session.add(last)
        db.session.commit()
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


@pytest.mark.parametrize("zone, shown", [
    ("America/Los_Angeles", "4 December 2026"),
    ("Pacific/Honolulu", "4 December 2026"),
    ("Europe/London", "5 December 2026"),
])
def test_the_certificate_date_is_the_cohorts_date_for_every_viewer(app, client, auth, factory, learner, zone, shown):
    with app.app_context():
        complete_modules(learner)
        finish_everything_but_modules(learner)
        cert = issue_if_complete(db.session.get(User, learner))
        cert.issued_at = datetime(2026, 12, 5, 5, 30, tzinfo=UTC)  # evening of the 4th in the Pacific
        db.session.get(Cohort, cert.cohort_id).time_zone = zone
        db.session.commit()
        code = cert.code
    assert shown in client.get(f"/verify/{code}").get_data(as_text=True)  # signed out
    auth.login(factory.email(learner))
    assert shown in client.get("/pilot/certificate").get_data(as_text=True)
    auth.logout()
    auth.login("tess@example.org")
    completed_on = [line for line in client.get("/pilot/completions.csv").get_data(as_text=True).splitlines()
                    if "Dana Rivera" in line]
    assert completed_on and shown_iso(shown) in completed_on[0]


def shown_iso(shown: str) -> str:
    """Return '2026-12-04' for '4 December 2026'."""
    return datetime.strptime(shown, "%d %B %Y").date().isoformat()
