"""The trainer home: where trainers land, the review counts per cohort, learners to follow up, returned work."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from course.database import utcnow
from course.extensions import db
from course.models import Cohort, User, Work
from course.trainers.services import home_panels
from tests.conftest import PASSWORD
from tests.test_review import REVISED_TEXT, graded_report, revise_and_resubmit, send_decisions, set_url, submit_work


def panel_counts(app, trainer_id: int) -> dict[str, dict[str, int]]:
    """Return each visible cohort's review counts, by cohort name, as the trainer home computes them."""
    with app.app_context():
        return {p.cohort.name: p.counts for p in home_panels(db.session.get(User, trainer_id))}


def test_trainers_land_on_their_home_and_learners_on_the_course(client, auth, world, factory):
    assert auth.login("t1@example.org").location == "/trainer/"
    assert client.get("/auth/login").location == "/trainer/"  # already signed in
    auth.logout()
    assert auth.login("priya@example.org").location == "/"
    assert client.get("/trainer/").status_code == 403
    auth.logout()
    factory.user("admin", email="admin@example.org")
    assert auth.login("admin@example.org").location == "/trainer/"
    auth.logout()
    response = client.post("/auth/login?next=/review/bank", data={"email": "t1@example.org", "password": PASSWORD})
    assert response.location == "/review/bank"  # a page asked for before signing in still wins


def test_counts_per_cohort_new_resubmitted_mine_untouched(app, client, auth, world):
    omar_work = submit_work(app, world["omar"])
    auth.login("t1@example.org")
    assert send_decisions(client, app, {omar_work: "return"}, "Name the act.").status_code == 302
    revise_and_resubmit(app, omar_work, REVISED_TEXT, graded_report(REVISED_TEXT))
    submit_work(app, world["priya"])
    submit_work(app, world["zoe"])  # cohort B: not T1's
    client.post(set_url(world["priya"]) + "/claim")

    assert panel_counts(app, world["t1"]) == {"Cohort A": {"new": 1, "resubmitted": 1, "mine": 1, "untouched": 1}}
    assert panel_counts(app, world["t2"]) == {"Cohort A": {"new": 1, "resubmitted": 1, "mine": 0, "untouched": 1}}
    assert panel_counts(app, world["t3"]) == {"Cohort B": {"new": 1, "resubmitted": 0, "mine": 0, "untouched": 1}}

    page = client.get("/trainer/").get_data(as_text=True)
    assert "2 family sets wait for review; you are reviewing 1 set." in page
    assert "Cohort A" in page and "Cohort B" not in page and "Zoe" not in page
    # the Review tab counts what waits for this trainer: the unclaimed set, and the one they hold
    assert 'Review <span class="nav-count">2<span class="visually-hidden"> waiting</span>' in page


def test_learners_to_follow_up_and_returned_work(app, client, auth, world):
    work_id = submit_work(app, world["priya"])
    auth.login("t1@example.org")
    page = client.get("/trainer/").get_data(as_text=True)
    assert "Not started (1)" in page and "Omar Okonkwo" in page  # Priya has written something; Omar has not
    assert "Nothing returned is waiting on a learner." in page

    send_decisions(client, app, {work_id: "return"}, "Name the act.")
    with app.app_context():  # Priya has not been back for ten days
        db.session.execute(update(Work).values(updated_at=utcnow() - timedelta(days=10)))
        db.session.commit()
    page = client.get("/trainer/").get_data(as_text=True)
    assert "No activity for 7 days or more (1)" in page and "Priya Patelson" in page
    assert f'<a href="{set_url(world["priya"])}">Priya Patelson: The Hill family</a>' in page
    assert "Harm Statement · returned" in page


def test_anonymous_cohorts_show_learner_numbers(app, client, auth, world):
    with app.app_context():
        db.session.get(Cohort, world["a"]).anonymous_review = True
        db.session.commit()
    auth.login("t1@example.org")
    page = client.get("/trainer/").get_data(as_text=True)
    assert "Learner 1" in page and "Priya" not in page and "Omar" not in page


def test_a_trainer_without_a_cohort_sees_what_to_do(client, auth, factory):
    factory.user("trainer", email="new.trainer@example.org")
    auth.login("new.trainer@example.org")
    page = client.get("/trainer/").get_data(as_text=True)
    assert "You do not lead a cohort yet." in page and 'href="/cohorts/new"' in page


def _set_days(app, cohort_id: int, day1, day2, time_zone: str = "America/Los_Angeles") -> None:
    """Give a cohort its two classroom dates and time zone."""
    with app.app_context():
        db.session.execute(update(Cohort).where(Cohort.id == cohort_id).values(
            day1_date=day1, day2_date=day2, time_zone=time_zone))
        db.session.commit()


def test_attendance_to_mark_lists_past_class_days_with_learners_unrecorded(app, client, auth, world):
    from course.models.attendance import Attendance

    today = utcnow().date()
    _set_days(app, world["a"], today - timedelta(days=8), today + timedelta(days=8))
    auth.login("t1@example.org")
    page = client.get("/trainer/").get_data(as_text=True)
    assert "Attendance to mark" in page and "2 learners not recorded yet" in page
    assert f'href="/cohorts/{world["a"]}/attendance/day/1"' in page
    assert '/attendance/day/2"' not in page  # Day 2 has not happened yet
    with app.app_context():
        for learner in (world["priya"], world["omar"]):
            db.session.add(Attendance(cohort_id=world["a"], user_id=learner, day=1, status="present"))
        db.session.commit()
    assert "Attendance to mark" not in client.get("/trainer/").get_data(as_text=True)


@pytest.mark.parametrize("utc_hour, zone, expected_offset", [
    (3, "America/Los_Angeles", -1),  # 03:00 UTC is still the evening before in California
    (3, "UTC", 0),
    (23, "Pacific/Honolulu", 0),
    (23, "Asia/Tokyo", 1),
])
def test_today_is_the_cohorts_own_date(app, world, utc_hour, zone, expected_offset):
    from datetime import UTC, datetime

    from course.trainers.services import today_for

    now = datetime(2026, 3, 10, utc_hour, 30, tzinfo=UTC)
    with app.app_context():
        cohort = db.session.get(Cohort, world["a"])
        cohort.time_zone = zone
        assert today_for(cohort, now) == now.date() + timedelta(days=expected_offset)
