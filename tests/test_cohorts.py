"""Cohort management: edit, co-trainers, the roster with progress, removing and moving learners, the QR code."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from course.database import utcnow
from course.extensions import db
from course.models import Cohort, CohortInvitation, Enrollment, MappingAttempt, User
from tests.conftest import PASSWORD
from tests.test_review import submit_work


def test_edit_cohort(app, client, auth, world):
    auth.login("t1@example.org")
    assert "Edit Cohort A" in client.get(f"/cohorts/{world['a']}/edit").get_data(as_text=True)
    bad = client.post(
        f"/cohorts/{world['a']}/edit", data={"name": "A", "day1_date": "2027-03-04", "day2_date": "2027-03-01"}
    )
    assert bad.status_code == 400 and "Day 2 must be on or after Day 1." in bad.get_data(as_text=True)
    client.post(f"/cohorts/{world['a']}/edit", data={"name": "Fresno, March", "day1_date": "2027-03-04",
                                                     "day2_date": "2027-03-05", "anonymous_review": "y"})
    with app.app_context():
        cohort = db.session.get(Cohort, world["a"])
        assert (cohort.name, str(cohort.day2_date), cohort.anonymous_review) == ("Fresno, March", "2027-03-05", True)


def test_co_trainers_are_invited_accept_and_can_be_removed(app, client, auth, factory, world):
    factory.user("trainer", email="new@example.org", name="Nia New")
    auth.login("t1@example.org")
    refused = client.post(f"/cohorts/{world['a']}/trainers", data={"email": "priya@example.org"}, follow_redirects=True)
    assert "No trainer account has that email" in refused.get_data(as_text=True)
    invited = client.post(f"/cohorts/{world['a']}/trainers", data={"email": "NEW@example.org "}, follow_redirects=True)
    assert "They get access to the cohort once they accept it" in invited.get_data(as_text=True)
    with app.app_context():
        names = sorted(t.display_name for t in db.session.get(Cohort, world["a"]).trainers)
    assert names == ["Tara One", "Theo Two"]  # no access before accepting
    again = client.post(f"/cohorts/{world['a']}/trainers", data={"email": "new@example.org"}, follow_redirects=True)
    assert "Nia New is already invited" in again.get_data(as_text=True)
    nia = app.test_client()
    nia.post("/auth/login", data={"email": "new@example.org", "password": PASSWORD})
    assert nia.get(f"/cohorts/{world['a']}").status_code == 404
    page = nia.get("/cohorts/invitations").get_data(as_text=True)
    assert "Cohort A" in page and "Accept" in page
    with app.app_context():
        invitation_id = db.session.scalar(select(CohortInvitation.id))
    assert nia.post(f"/cohorts/invitations/{invitation_id}/accept").status_code == 302
    assert nia.get(f"/cohorts/{world['a']}").status_code == 200
    with app.app_context():
        names = sorted(t.display_name for t in db.session.get(Cohort, world["a"]).trainers)
        assert db.session.scalar(select(CohortInvitation.id)) is None
    assert names == ["Nia New", "Tara One", "Theo Two"]
    client.post(f"/cohorts/{world['a']}/trainers/{world['t2']}/remove")
    with app.app_context():
        assert world["t2"] not in [t.id for t in db.session.get(Cohort, world["a"]).trainers]


def test_an_invitation_can_be_declined_or_withdrawn_and_is_private(app, client, auth, factory, world):
    factory.user("trainer", email="new@example.org", name="Nia New")
    auth.login("t1@example.org")
    client.post(f"/cohorts/{world['a']}/trainers", data={"email": "new@example.org"})
    with app.app_context():
        invitation_id = db.session.scalar(select(CohortInvitation.id))
    outsider = app.test_client()
    outsider.post("/auth/login", data={"email": "t3@example.org", "password": PASSWORD})
    assert outsider.post(f"/cohorts/invitations/{invitation_id}/accept").status_code == 404
    nia = app.test_client()
    nia.post("/auth/login", data={"email": "new@example.org", "password": PASSWORD})
    assert nia.post(f"/cohorts/invitations/{invitation_id}/decline").status_code == 302
    assert nia.get(f"/cohorts/{world['a']}").status_code == 404
    client.post(f"/cohorts/{world['a']}/trainers", data={"email": "new@example.org"})
    with app.app_context():
        invitation_id = db.session.scalar(select(CohortInvitation.id))
    assert "Invitation withdrawn" in client.post(f"/cohorts/{world['a']}/invitations/{invitation_id}/withdraw",
                                                 follow_redirects=True).get_data(as_text=True)
    assert "No invitations are waiting" in nia.get("/cohorts/invitations").get_data(as_text=True)


def test_a_co_trainer_cannot_remove_the_cohorts_creator(app, factory):
    factory.user("trainer", email="maker@example.org", name="Maya Maker")
    factory.user("trainer", email="co@example.org", name="Cole Co")
    maker, co = app.test_client(), app.test_client()
    maker.post("/auth/login", data={"email": "maker@example.org", "password": PASSWORD})
    co.post("/auth/login", data={"email": "co@example.org", "password": PASSWORD})
    created = maker.post("/cohorts/new", data={"name": "Fresno"})
    cohort_id = int(created.location.rstrip("/").split("/")[-1])
    maker.post(f"/cohorts/{cohort_id}/trainers", data={"email": "co@example.org"})
    with app.app_context():
        invitation_id = db.session.scalar(select(CohortInvitation.id))
        maker_id = db.session.scalar(select(User.id).where(User.email == "maker@example.org"))
        co_id = db.session.scalar(select(User.id).where(User.email == "co@example.org"))
        assert db.session.get(Cohort, cohort_id).created_by_id == maker_id
    co.post(f"/cohorts/invitations/{invitation_id}/accept")
    page = co.post(f"/cohorts/{cohort_id}/trainers/{maker_id}/remove", follow_redirects=True).get_data(as_text=True)
    assert "Maya Maker created this cohort, so only they or an admin can remove them." in page
    assert maker.get(f"/cohorts/{cohort_id}").status_code == 200
    maker.post(f"/cohorts/{cohort_id}/trainers/{co_id}/remove")  # the creator may remove a co-trainer
    assert co.get(f"/cohorts/{cohort_id}").status_code == 404


def test_the_last_trainer_cannot_be_removed(app, client, auth, world):
    auth.login("t3@example.org")
    page = client.post(f"/cohorts/{world['b']}/trainers/{world['t3']}/remove", follow_redirects=True)
    assert "A cohort needs at least one trainer" in page.get_data(as_text=True)
    with app.app_context():
        assert [t.id for t in db.session.get(Cohort, world["b"]).trainers] == [world["t3"]]


def test_removing_yourself_leads_back_to_your_cohorts(app, client, auth, world):
    auth.login("t2@example.org")
    response = client.post(f"/cohorts/{world['a']}/trainers/{world['t2']}/remove")
    assert response.headers["Location"].endswith("/cohorts/")
    assert client.get(f"/cohorts/{world['a']}").status_code == 404


def test_roster_shows_modules_mapping_and_statement_status(app, client, auth, world):
    submit_work(app, world["priya"])
    with app.app_context():
        db.session.add(
            MappingAttempt(user_id=world["priya"], vignette_id="hill-family", placements={}, correct=9, total=14)
        )
        db.session.add(
            MappingAttempt(user_id=world["priya"], vignette_id="hill-family", placements={}, correct=12, total=14)
        )
        db.session.commit()
    auth.login("t1@example.org")
    page = client.get(f"/cohorts/{world['a']}").get_data(as_text=True)
    assert '<th scope="row">Omar Okonkwo</th>' in page and '<th scope="row">Priya Patelson</th>' in page
    assert "The Hill family: 12/14" in page and "9/14" not in page
    assert "Submitted, waiting for review" in page and "of modules done" in page
    assert "Zoe" not in page


def test_remove_learner_keeps_their_account_and_work(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    client.post(f"/cohorts/{world['a']}/learners/{world['priya']}/remove")
    with app.app_context():
        assert db.session.scalar(select(Enrollment).where(Enrollment.user_id == world["priya"])) is None
        assert db.session.get(User, world["priya"]) is not None
    assert client.get(f"/review/{work_id}").status_code == 404  # no longer this trainer's learner
    missing = client.post(f"/cohorts/{world['a']}/learners/{world['zoe']}/remove", follow_redirects=True)
    assert "That learner is not in this cohort." in missing.get_data(as_text=True)


def test_move_learner_to_another_of_your_cohorts(app, client, auth, factory, world):
    second = factory.cohort("Cohort C", trainer_id=world["t1"])
    work_id = submit_work(app, world["omar"])
    auth.login("t1@example.org")
    assert client.post(f"/cohorts/{world['a']}/learners/{world['omar']}/move",
                       data={"target": world["b"]}, follow_redirects=True).status_code == 200
    with app.app_context():  # cohort B is not Tara's: nothing moved
        assert [e.cohort_id for e in db.session.get(User, world["omar"]).enrollments] == [world["a"]]
    client.post(f"/cohorts/{world['a']}/learners/{world['omar']}/move", data={"target": second})
    with app.app_context():
        omar = db.session.get(User, world["omar"])
        assert [e.cohort_id for e in omar.enrollments] == [second] and omar.cohort.id == second
    assert client.get(f"/review/{work_id}", follow_redirects=True).status_code == 200  # still her learner


def test_join_qr_code_is_inline_svg(app, client, auth, world):
    auth.login("t1@example.org")
    with app.app_context():
        code = db.session.get(Cohort, world["a"]).join_code
    page = client.get(f"/cohorts/{world['a']}/qr").get_data(as_text=True)
    assert '<svg role="img" aria-label="QR code for the join link of Cohort A"' in page
    assert f"http://localhost/auth/join/{code}</p>" in page
    assert "<img" not in page and "cdn" not in page.lower()
    assert '<svg role="img"' in client.get(f"/cohorts/{world['a']}").get_data(as_text=True)



def _register(app, code, email):
    return app.test_client().post("/auth/register", data={
        "join_code": code, "display_name": "New Learner", "email": email, "password": PASSWORD, "confirm": PASSWORD})


def test_rotating_the_join_code_stops_the_old_one_at_once(app, client, auth, world):
    auth.login("t1@example.org")
    with app.app_context():
        old = db.session.get(Cohort, world["a"]).join_code
    assert client.post(f"/cohorts/{world['a']}/code").status_code == 302
    with app.app_context():
        new = db.session.get(Cohort, world["a"]).join_code
    assert new != old
    refused = _register(app, old, "late@example.org")
    assert refused.status_code == 400 and b"No cohort has that join code" in refused.data
    assert _register(app, new, "late@example.org").status_code == 302
    assert new in client.get(f"/cohorts/{world['a']}/qr").get_data(as_text=True)
    assert old not in client.get(f"/cohorts/{world['a']}/qr").get_data(as_text=True)


@pytest.mark.parametrize("days_ago, expiry_days, joins", [(10, 30, True), (31, 30, False), (31, 60, True)])
def test_join_codes_expire_after_day_two(app, world, days_ago, expiry_days, joins):
    app.config["COHORT_CODE_EXPIRY_DAYS"] = expiry_days
    with app.app_context():
        cohort = db.session.get(Cohort, world["a"])
        cohort.day1_date = date.today() - timedelta(days=days_ago + 1)
        cohort.day2_date = date.today() - timedelta(days=days_ago)
        cohort.join_code_issued_at = utcnow() - timedelta(days=90)
        code = cohort.join_code
        db.session.commit()
    response = _register(app, code, "late@example.org")
    if joins:
        assert response.status_code == 302
    else:
        assert response.status_code == 400
        assert b"That join code has expired. Ask your trainer for the cohort&#39;s new code." in response.data


def test_an_expired_code_shows_on_the_cohort_page_and_rotation_renews_it(app, client, auth, world):
    with app.app_context():
        cohort = db.session.get(Cohort, world["a"])
        cohort.day2_date = date.today() - timedelta(days=45)
        cohort.join_code_issued_at = utcnow() - timedelta(days=90)
        db.session.commit()
    auth.login("t1@example.org")
    assert "This code expired on" in client.get(f"/cohorts/{world['a']}").get_data(as_text=True)
    client.post(f"/cohorts/{world['a']}/code")
    page = client.get(f"/cohorts/{world['a']}").get_data(as_text=True)
    assert "New learners can join with it until" in page
    with app.app_context():
        code = db.session.get(Cohort, world["a"]).join_code
    assert _register(app, code, "renewed@example.org").status_code == 302
