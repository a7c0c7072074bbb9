"""Cohort management: edit, co-trainers, the roster with progress, removing and moving learners, the QR code."""
from __future__ import annotations

from sqlalchemy import select

from course.extensions import db
from course.models import Cohort, Enrollment, MappingAttempt, User
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


def test_co_trainers_add_and_remove(app, client, auth, factory, world):
    factory.user("trainer", email="new@example.org", name="Nia New")
    auth.login("t1@example.org")
    refused = client.post(f"/cohorts/{world['a']}/trainers", data={"email": "priya@example.org"}, follow_redirects=True)
    assert "No trainer account has that email" in refused.get_data(as_text=True)
    client.post(f"/cohorts/{world['a']}/trainers", data={"email": "NEW@example.org "})
    with app.app_context():
        names = sorted(t.display_name for t in db.session.get(Cohort, world["a"]).trainers)
    assert names == ["Nia New", "Tara One", "Theo Two"]
    again = client.post(f"/cohorts/{world['a']}/trainers", data={"email": "new@example.org"}, follow_redirects=True)
    assert "Nia New already leads this cohort." in again.get_data(as_text=True)
    client.post(f"/cohorts/{world['a']}/trainers/{world['t2']}/remove")
    with app.app_context():
        assert world["t2"] not in [t.id for t in db.session.get(Cohort, world["a"]).trainers]


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
    assert client.get(f"/review/{work_id}").status_code == 200  # still her learner, in the new cohort


def test_join_qr_code_is_inline_svg(app, client, auth, world):
    auth.login("t1@example.org")
    with app.app_context():
        code = db.session.get(Cohort, world["a"]).join_code
    page = client.get(f"/cohorts/{world['a']}/qr").get_data(as_text=True)
    assert '<svg role="img" aria-label="QR code for the join link of Cohort A"' in page
    assert f"http://localhost/auth/join/{code}</p>" in page
    assert "<img" not in page and "cdn" not in page.lower()
    assert '<svg role="img"' in client.get(f"/cohorts/{world['a']}").get_data(as_text=True)

