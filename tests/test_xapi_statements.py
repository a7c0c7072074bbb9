"""xAPI statements: structure for every milestone, no email in clear, learner text only when allowed, export."""
import copy
import json
import uuid
from datetime import datetime

import pytest
from sqlalchemy import select

from course import events
from course.extensions import db
from course.models import User, Work, WorkVersion
from course.models.xapi import XapiStatement
from course.xapi import statements as xs

COMPLETED, SCORED = "http://adlnet.gov/expapi/verbs/completed", "http://adlnet.gov/expapi/verbs/scored"
SUBMITTED, PASSED = "http://activitystrea.ms/schema/1.0/submit", "http://adlnet.gov/expapi/verbs/passed"
SECRET_DRAFT = "Marcus Hill grabbed Jayden by the arm on March 2"


@pytest.fixture
def learner(factory):
    """A learner in a cohort; returns (user id, cohort id)."""
    cohort_id = factory.cohort("Pilot West")
    return factory.user("learner", email="jo.learner@example.org", cohort_id=cohort_id), cohort_id


def _work(user_id):
    """Create a submitted harm statement with one version."""
    work = Work(
        user_id=user_id, vignette_id="hill-family", kind="harm", position=1, status="submitted", draft_text=SECRET_DRAFT
    )
    db.session.add(work)
    db.session.flush()
    version = WorkVersion(work_id=work.id, number=1, text=SECRET_DRAFT, source="submit")
    db.session.add(version)
    db.session.commit()
    return work, version


def _send_all(app, user_id):
    """Send every milestone signal for the learner and return the queued statements by verb."""
    with app.app_context():
        user = db.session.get(User, user_id)
        work, version = _work(user_id)
        events.module_completed.send(app, user=user, module_id="mapping")
        events.quiz_scored.send(app, user=user, quiz_id="mapping", score=7, max_score=10)
        events.work_submitted.send(app, user=user, work=work, version=version)
        events.work_accepted.send(app, user=user, work=work, version=version, score=0.75)
        events.work_accepted.send(app, user=user, work=work, version=version, score=None)
        events.course_completed.send(app, user=user, certificate=None)
        db.session.commit()
        rows = db.session.scalars(select(XapiStatement).order_by(XapiStatement.id)).all()
        return [(row.verb, row.status, row.cohort_id, copy.deepcopy(row.statement)) for row in rows]


def test_every_milestone_makes_a_valid_statement(app, learner):
    user_id, cohort_id = learner
    rows = _send_all(app, user_id)
    assert [verb for verb, *_ in rows] == ["completed", "scored", "submitted", "passed", "passed", "completed"]
    for verb, status, row_cohort, statement in rows:
        assert xs.validate(statement) == [], (verb, xs.validate(statement))
        assert status == "pending" and row_cohort == cohort_id
        assert uuid.UUID(statement["id"]).version == 4
        actor = statement["actor"]
        assert actor["account"]["name"] == str(user_id) and actor["account"]["homePage"].startswith("http")
        assert "mbox" not in actor and "jo.learner" not in json.dumps(statement)
        assert set(statement["verb"]) == {"id", "display"} and statement["verb"]["display"]["en-US"]
        assert statement["object"]["id"].startswith("http") and statement["object"]["definition"]["name"]["en-US"]
        assert datetime.fromisoformat(statement["timestamp"].replace("Z", "+00:00")).utcoffset().total_seconds() == 0
        cohort_key = actor["account"]["homePage"] + "xapi/extensions/cohort"
        assert statement["context"]["extensions"][cohort_key] == cohort_id
    module, quiz, submitted, passed, passed_unscored, course = (r[3] for r in rows)
    assert module["verb"]["id"] == COMPLETED and module["object"]["id"].endswith("/xapi/activities/module/mapping")
    assert module["object"]["definition"]["name"]["en-US"].startswith("Mapping")
    assert (quiz["verb"]["id"] == SCORED
            and quiz["result"]["score"] == {"raw": 7.0, "min": 0.0, "max": 10.0, "scaled": 0.7})
    assert submitted["verb"]["id"] == SUBMITTED and submitted["result"] == {"completion": True}
    assert (passed["verb"]["id"] == PASSED and passed["result"]["score"] == {"scaled": 0.75}
            and passed["result"]["success"])
    assert "score" not in passed_unscored["result"]
    assert course["verb"]["id"] == COMPLETED and course["object"]["id"].endswith("/xapi/activities/course")


def test_learner_text_stays_out_unless_allowed(app, learner):
    user_id, _ = learner
    dumped = json.dumps([r[3] for r in _send_all(app, user_id)])
    assert SECRET_DRAFT not in dumped and "response" not in dumped
    app.config["XAPI_INCLUDE_LEARNER_TEXT"] = True
    with app.app_context():
        db.session.query(XapiStatement).delete()
        db.session.query(Work).delete()
        db.session.commit()
    rows = _send_all(app, user_id)
    submitted = next(r[3] for r in rows if r[0] == "submitted")
    assert submitted["result"]["response"] == SECRET_DRAFT and xs.validate(submitted) == []


def test_course_completion_carries_the_hours(app, learner):
    user_id, _ = learner

    class Cert:
        hours = 7.5

    with app.app_context():
        statement = xs.course_completed(db.session.get(User, user_id), Cert())
    assert statement["result"]["duration"] == "PT7.5H" and xs.validate(statement) == []


def _good(app, user_id):
    with app.test_request_context():
        return xs.module_completed(db.session.get(User, user_id), "mapping")


@pytest.mark.parametrize("mutate, problem", [
    (lambda s: s.update(id="not-a-uuid"), "id must be a UUID"),
    (lambda s: s["actor"].update(mbox="mailto:jo@example.org"), "email address in clear"),
    (lambda s: s["actor"].pop("account"), "exactly one identifier"),
    (lambda s: s["actor"].update(account={"homePage": "example", "name": "3"}), "IRI homePage"),
    (lambda s: s["actor"].update(mbox_sha1sum="xyz") or s["actor"].pop("account"), "40 lower-case hex"),
    (lambda s: s["verb"].update(id="completed"), "verb.id must be an IRI"),
    (lambda s: s["verb"].pop("display"), "verb.display"),
    (lambda s: s["object"].update(id="module 1"), "Activity with an IRI id"),
    (lambda s: s["object"].pop("definition"), "object.definition"),
    (lambda s: s.update(result={"score": {"scaled": 1.5}}), "scaled must be between"),
    (lambda s: s.update(result={"score": {"raw": 11, "min": 0, "max": 10}}), "raw must lie between"),
    (lambda s: s.update(result={"completion": "yes"}), "result.completion"),
    (lambda s: s.update(timestamp="27/03/2027 10:00"), "ISO 8601"),
    (lambda s: s.update(timestamp="2027-03-27T10:00:00"), "ISO 8601"),
    (lambda s: s.update(timestamp="2027-02-30T10:00:00Z"), "not a real date-time"),
])
def test_validator_catches_broken_statements(app, learner, mutate, problem):
    statement = _good(app, learner[0])
    assert xs.validate(statement) == []
    mutate(statement)
    assert any(problem in p for p in xs.validate(statement)), xs.validate(statement)


@pytest.mark.parametrize("settings, base", [
    ({"XAPI_SITE_URL": "https://sop.example.gov"}, "https://sop.example.gov/"),
    ({"SITE_URL": "https://learn.example.gov"}, "https://learn.example.gov/"),  # outside a request too
    ({"XAPI_SITE_URL": "https://lrs-ids.example.gov/", "SITE_URL": "https://learn.example.gov"},
     "https://lrs-ids.example.gov/"),
])
def test_activity_ids_use_the_configured_site(app, learner, settings, base):
    app.config.update(settings)
    statement = _good(app, learner[0])
    assert statement["object"]["id"] == base + "xapi/activities/module/mapping"
    assert statement["actor"]["account"]["homePage"] == base


def test_cohort_export_is_json_for_its_trainer_only(app, client, auth, factory, learner):
    user_id, cohort_id = learner
    other = factory.cohort("Elsewhere")
    outsider = factory.user("learner", cohort_id=other)
    _send_all(app, user_id)
    with app.app_context():
        events.module_completed.send(app, user=db.session.get(User, outsider), module_id="icpm")
        db.session.commit()
    trainer = factory.user("trainer", cohort_id=cohort_id)
    auth.login(factory.email(user_id))
    assert client.get(f"/xapi/cohorts/{cohort_id}/statements.json").status_code == 403
    auth.logout()
    auth.login(factory.email(trainer))
    response = client.get(f"/xapi/cohorts/{cohort_id}/statements.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    exported = response.get_json()
    assert len(exported) == 6 and all(xs.validate(s) == [] for s in exported)
    assert all(s["actor"]["account"]["name"] == str(user_id) for s in exported)
    assert client.get(f"/xapi/cohorts/{other}/statements.json").status_code == 403
    assert client.get("/xapi/cohorts/999/statements.json").status_code == 404
