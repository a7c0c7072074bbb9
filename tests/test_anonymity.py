"""The name-masking service (course/names.py): every page, export, console and JSON a trainer or admin
can open is walked for an anonymous cohort, and again while presenting, and no learner's name or email
may appear; reveal and presenting belong to one sign-in only."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import session as flask_session
from flask_login import login_user

from course import names
from course.database import utcnow
from course.extensions import db
from course.models import Cohort, User
from course.models.pilot import Certificate
from tests.conftest import PASSWORD
from tests.test_security_matrix import ACCESS, _rules, _url, build_world

SECRETS = ("Owner Learner", "Other Learner", "learner@example.org", "other@example.org")
# Pages that list people by design and are not about a cohort: the admin's account list.
NOT_COHORT_VIEWS = {"admin.users", "static"}


@pytest.fixture
def world(tmp_path):
    """The security matrix's world with cohort A anonymous, a live response and a certificate."""
    from course.classroom import activities
    from course.models.classroom import ClassSession, LiveParticipant

    world = build_world(tmp_path)
    with world.app.app_context():
        cohort = db.session.get(Cohort, world.params["cohort_id"])
        cohort.anonymous_review = True
        learner = db.session.get(User, world.params["user_id"])
        session = db.session.get(ClassSession, world.params["session_id"])
        activity = activities.start_activity(session, "statement", "hill-family", "harm")
        phone = LiveParticipant(session_id=session.id, token_hash="anonymity-walk", number=1, user_id=learner.id)
        db.session.add(phone)  # the learner joined from a phone while signed in, so the phone is linked
        db.session.flush()
        activities.submit(session, phone, activity.id, "anonymity-walk-1",
                          text="On Saturday Marcus hit Jayden (7) and he had a bruise.")
        db.session.add(Certificate(user_id=learner.id, cohort_id=cohort.id, code="ANONWALK01", name="Owner Learner",
                                   course="SOP Foundations", hours=12))
        db.session.commit()
    return world


def _signed_in(world, role: str):
    """Return a test client signed in as the role."""
    client = world.app.test_client()
    response = client.post("/auth/login", data={"email": world.emails[role], "password": PASSWORD})
    assert response.status_code in (302, 303), f"{role} could not sign in"
    return client


def _walk(world, client, role: str) -> dict[str, str]:
    """GET every route the role may open (with the world's objects) and return url -> body."""
    bodies = {}
    for rule in _rules(world.app):
        if "GET" not in rule.methods or role not in ACCESS[rule.endpoint] or rule.endpoint in NOT_COHORT_VIEWS:
            continue
        url = _url(world, rule)
        response = client.get(url)
        assert response.status_code < 500, f"GET {url} as {role} gave {response.status_code}"
        bodies[url] = response.get_data(as_text=True)
    return bodies


def _leaks(bodies: dict[str, str]) -> list[str]:
    """Return 'secret in url' for every learner name or email found in a body."""
    return [f"{secret!r} in {url}" for url, body in bodies.items() for secret in SECRETS if secret in body]


@pytest.mark.parametrize("role", ["trainer", "admin"])
def test_no_route_shows_a_learner_of_an_anonymous_cohort(world, role):
    client = _signed_in(world, role)
    bodies = _walk(world, client, role)
    assert len(bodies) > 20  # the walk really covers the trainer's pages, exports, console and JSON
    for must in ("/review/cohorts/", "/pilot/completions.csv", "/classroom/"):
        assert any(must in url for url in bodies), f"the walk missed {must}"
    assert _leaks(bodies) == []
    console_url = f"/sessions/{world.params['session_id']}/state"
    console = next(body for url, body in bodies.items() if url.endswith(console_url))
    assert '"name": "Learner 1"' in console or '"name":"Learner 1"' in console


def test_presenting_hides_names_in_every_cohort(world):
    with world.app.app_context():
        db.session.get(Cohort, world.params["cohort_id"]).anonymous_review = False
        db.session.commit()
    client = _signed_in(world, "trainer")
    assert "Owner Learner" in client.get(f"/cohorts/{world.params['cohort_id']}").get_data(as_text=True)
    with client.session_transaction() as stored:  # what set_presenting() stores, for this browser's sign-in
        until = (utcnow() + timedelta(hours=1)).timestamp()
        stored[names.PRESENTING_KEY] = {"who": stored["_user_id"], "until": until}
    assert _leaks(_walk(world, client, "trainer")) == []
    with client.session_transaction() as stored:  # another sign-in's presenting choice does not apply here
        stored[names.PRESENTING_KEY] = {"who": "someone-else", "until": until}
    assert "Owner Learner" in client.get(f"/cohorts/{world.params['cohort_id']}").get_data(as_text=True)


def test_set_presenting_marks_this_sign_in(world):
    with world.app.test_request_context():
        trainer = db.session.get(User, _user_id(world, "trainer"))
        login_user(trainer)
        assert not names.is_presenting()
        names.set_presenting(True)
        assert names.is_presenting() and flask_session[names.PRESENTING_KEY]["who"] == trainer.get_id()
        assert names.Namer().hides(None)
        names.set_presenting(False)
        assert not names.is_presenting()


def _user_id(world, role: str) -> int:
    """Return the id of the world's user for a role."""
    return db.session.query(User).filter_by(email=world.emails[role]).one().id


def test_revealed_names_show_until_sign_out(world):
    cohort_id = world.params["cohort_id"]
    client = _signed_in(world, "trainer")
    client.post(f"/review/cohorts/{cohort_id}/names", data={"reveal": "1"})
    assert "Owner Learner" in client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert "learner@example.org" in client.get(f"/review/cohorts/{cohort_id}/progress.csv").get_data(as_text=True)
    copied = client.get_cookie("session").value
    client.post("/auth/logout")
    with client.session_transaction() as stored:
        assert names.REVEAL_KEY not in stored
    client.post("/auth/login", data={"email": world.emails["trainer"], "password": PASSWORD})
    assert "Owner Learner" not in client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    # Even a cookie copied while names were revealed does not reveal them to a later sign-in of this browser.
    client.set_cookie("session", copied)
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": world.emails["trainer"], "password": PASSWORD})
    assert "Owner Learner" not in client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)


@pytest.mark.parametrize("record, shown", [
    ({"who": "OWN", "until": "LATER", "cohorts": ["COHORT"]}, True),
    ({"who": "OWN", "until": "EARLIER", "cohorts": ["COHORT"]}, False),  # expired
    ({"who": "OTHER", "until": "LATER", "cohorts": ["COHORT"]}, False),  # another sign-in's choice
    ({"who": "OWN", "until": "LATER", "cohorts": []}, False),
    ({"who": "OWN", "until": "not a time", "cohorts": ["COHORT"]}, False),
    (["COHORT"], False),  # the old list-shaped value from before this service
])
def test_reveal_belongs_to_one_sign_in_and_expires(world, record, shown):
    with world.app.test_request_context():
        trainer = db.session.get(User, _user_id(world, "trainer"))
        cohort = db.session.get(Cohort, world.params["cohort_id"])
        login_user(trainer)
        learner = db.session.get(User, world.params["user_id"])
        values = {"OWN": trainer.get_id(), "OTHER": "someone-else", "COHORT": cohort.id,
                  "LATER": (utcnow() + timedelta(hours=1)).timestamp(),
                  "EARLIER": (utcnow() - timedelta(seconds=1)).timestamp()}
        if isinstance(record, dict):
            record = {k: ([values[c] for c in v] if isinstance(v, list) else values.get(v, v))
                      for k, v in record.items()}
        else:
            record = [values[c] for c in record]
        flask_session[names.REVEAL_KEY] = record
        assert names.is_revealed(cohort) is shown
        expected = "Owner Learner" if shown else "Learner 1"
        assert names.display_name(learner, cohort, trainer) == expected
        assert names.Namer().name(learner, cohort) == expected
        assert (names.email_for(learner, cohort, trainer) == "learner@example.org") is shown


def test_display_name_rules(world):
    with world.app.test_request_context():
        cohort = db.session.get(Cohort, world.params["cohort_id"])
        learner = db.session.get(User, world.params["user_id"])
        other = db.session.query(User).filter_by(email="other@example.org").one()
        trainer = db.session.get(User, _user_id(world, "trainer"))
        assert names.display_name(learner, cohort, learner) == "Owner Learner"  # one's own name
        assert names.display_name(learner, cohort, other) == "Learner 1"
        assert names.display_name(other, cohort, trainer) == "Learner 2"
        assert names.display_name(learner, cohort, learner, presenting=True) == "Learner 1"
        cohort.anonymous_review = False
        assert names.display_name(learner, cohort, trainer) == "Owner Learner"
        assert names.display_name(learner, cohort, trainer, presenting=True) == "Learner 1"
        assert names.display_name(learner, None, trainer, presenting=True) == names.FORMER


def test_numbers_are_given_at_join_and_kept_after_leaving(app, client, auth, factory):
    trainer = factory.user("trainer", email="t@example.org")
    cohort_id = factory.cohort("Numbered", trainer_id=trainer)
    first = factory.user("learner", email="a@example.org", name="Alma First", cohort_id=cohort_id)
    second = factory.user("learner", email="b@example.org", name="Bea Second", cohort_id=cohort_id)
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        assert names.aliases(cohort) == {first: 1, second: 2}
        cohort.enrollments.remove(next(e for e in cohort.enrollments if e.user_id == first))
        db.session.commit()
        third = factory.user("learner", email="c@example.org", name="Cy Third", cohort_id=cohort_id)
        assert names.aliases(db.session.get(Cohort, cohort_id)) == {first: 1, second: 2, third: 3}
