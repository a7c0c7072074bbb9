"""The attendance register: trainers record each classroom day, errors are shown beside the row, the CSV is
guarded and masked, and a record can be the last thing a learner's certificate was waiting for."""
from __future__ import annotations

import csv
import datetime
import io

import pytest
from sqlalchemy import select

from course.completion.classroom import day_minutes
from course.extensions import db
from course.models import Cohort
from course.models.attendance import Attendance
from course.models.pilot import Certificate
from tests.test_pilot_support import complete_modules, finish_everything_but_modules


@pytest.fixture
def register(app, factory):
    """A classroom cohort with its trainer and three learners (one with a formula-like name)."""
    trainer = factory.user("trainer", email="tess@example.org", name="Tess Trainer")
    cohort_id = factory.cohort("Redding, May", trainer_id=trainer)
    learners = [factory.user("learner", name=name, cohort_id=cohort_id)
                for name in ("Ana Avila", "=HYPERLINK(\"http://x\")", "Cy Chen")]
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        cohort.day1_date, cohort.day2_date = datetime.date(2027, 5, 3), datetime.date(2027, 5, 10)
        db.session.commit()
    return {"trainer": trainer, "cohort": cohort_id, "learners": learners}


def _records(app, cohort_id):
    with app.app_context():
        return {(r.user_id, r.day): (r.status, r.minutes) for r in
                db.session.scalars(select(Attendance).where(Attendance.cohort_id == cohort_id))}


def test_a_trainer_records_a_day(app, client, auth, factory, register):
    a, b, c = register["learners"]
    auth.login("tess@example.org")
    url = f"/cohorts/{register['cohort']}/attendance/day/1"
    page = client.get(url).get_data(as_text=True)
    assert "Day 1 attendance" in page and "Ana Avila" in page and page.count('type="radio"') == 9
    response = client.post(url, data={f"status-{a}": "present", f"status-{b}": "partial", f"minutes-{b}": "150",
                                      f"status-{c}": "absent", f"minutes-{c}": "99"})
    assert response.status_code == 302
    assert _records(app, register["cohort"]) == {(a, 1): ("present", None), (b, 1): ("partial", 150),
                                                 (c, 1): ("absent", None)}
    overview = client.get(f"/cohorts/{register['cohort']}/attendance").get_data(as_text=True)
    assert "1 present · 1 partial · 1 absent · 0 not recorded" in overview and "Partial (150 min)" in overview


def test_the_fill_button_marks_only_learners_not_chosen(app, client, auth, register):
    a, b, c = register["learners"]
    auth.login("tess@example.org")
    client.post(f"/cohorts/{register['cohort']}/attendance/day/2", data={f"status-{a}": "absent", "fill": "present"})
    assert _records(app, register["cohort"]) == {(a, 2): ("absent", None), (b, 2): ("present", None),
                                                 (c, 2): ("present", None)}


@pytest.mark.parametrize("status, minutes, message", [
    ("partial", "", "For a partial day, give the minutes"),
    ("partial", "0", "from 1 to"),
    ("partial", "abc", "For a partial day, give the minutes"),
    ("partial", "FULL", "For a partial day, give the minutes"),
    ("late", "", "Choose present, partial or absent"),
])
def test_a_wrong_row_is_shown_beside_it_and_nothing_is_saved(app, client, auth, register, status, minutes, message):
    a, b, _ = register["learners"]
    auth.login("tess@example.org")
    response = client.post(f"/cohorts/{register['cohort']}/attendance/day/1",
                           data={f"status-{a}": "present", f"status-{b}": status, f"minutes-{b}": minutes})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and f'id="error-{b}"' in page
    assert "Nothing was saved" in page and _records(app, register["cohort"]) == {}


def test_a_partial_day_cannot_be_the_whole_day(app, client, auth, register):
    a = register["learners"][0]
    auth.login("tess@example.org")
    with app.app_context():
        whole = day_minutes(1)
    response = client.post(f"/cohorts/{register['cohort']}/attendance/day/1",
                           data={f"status-{a}": "partial", f"minutes-{a}": str(whole)})
    assert response.status_code == 400 and "choose present for that" in response.get_data(as_text=True)


@pytest.mark.parametrize("who, code", [("other_trainer", 404), ("learner", 403)])
def test_only_the_cohorts_trainers_keep_its_register(app, client, auth, factory, register, who, code):
    email = factory.email(factory.user("trainer") if who == "other_trainer" else register["learners"][0])
    auth.login(email)
    a = register["learners"][0]
    for method, url in (("get", "/attendance"), ("get", "/attendance/day/1"), ("get", "/attendance.csv"),
                        ("post", "/attendance/day/1")):
        response = getattr(client, method)(f"/cohorts/{register['cohort']}{url}", data={f"status-{a}": "present"})
        assert response.status_code == code, (method, url)
    assert _records(app, register["cohort"]) == {}


def test_a_day_outside_the_course_is_not_found(client, auth, register):
    auth.login("tess@example.org")
    assert client.get(f"/cohorts/{register['cohort']}/attendance/day/3").status_code == 404


def test_a_learner_from_another_cohort_cannot_be_recorded(app, client, auth, factory, register):
    outsider = factory.user("learner", cohort_id=factory.cohort("Elsewhere"))
    auth.login("tess@example.org")
    client.post(f"/cohorts/{register['cohort']}/attendance/day/1", data={f"status-{outsider}": "present"})
    assert _records(app, register["cohort"]) == {}


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_csv_lists_both_days_and_guards_formulas(app, client, auth, register):
    a, b, _ = register["learners"]
    auth.login("tess@example.org")
    client.post(f"/cohorts/{register['cohort']}/attendance/day/1",
                data={f"status-{a}": "present", f"status-{b}": "partial", f"minutes-{b}": "100"})
    response = client.get(f"/cohorts/{register['cohort']}/attendance.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _csv(response)
    assert rows[0][:4] == ["Learner", "Email", "Day 1 date", "Day 1 attendance"] and rows[0][-1] == "Classroom minutes"
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Ana Avila", "'=HYPERLINK(\"http://x\")", "Cy Chen"}
    with app.app_context():
        whole = day_minutes(1)
    ana = by_name["Ana Avila"]
    assert ana[2:6] == ["2027-05-03", "Present", str(whole), "Tess Trainer"] and ana[-1] == str(whole)
    assert by_name["'=HYPERLINK(\"http://x\")"][3:5] == ["Partial (100 min)", "100"]
    assert by_name["Cy Chen"][3] == "Not recorded" and by_name["Cy Chen"][-1] == "0"


def test_an_anonymous_cohort_shows_numbers_not_names(app, client, auth, register):
    from course.models import User
    from course.pilot.services import issue_if_complete

    a = register["learners"][0]
    with app.app_context():
        db.session.get(Cohort, register["cohort"]).anonymous_review = True
        for day in (1, 2):
            db.session.add(Attendance(cohort_id=register["cohort"], user_id=a, day=day, status="present"))
        complete_modules(a)
        finish_everything_but_modules(a)
        assert issue_if_complete(db.session.get(User, a)) is not None
        db.session.commit()
    auth.login("tess@example.org")
    for url in ("/attendance", "/attendance/day/1", "/attendance.csv"):
        body = client.get(f"/cohorts/{register['cohort']}{url}").get_data(as_text=True)
        assert "Ana Avila" not in body and "Learner 1" in body, url
        assert "@example.org" not in body.replace("tess@example.org", ""), url
        assert "/verify/" not in body, url  # the verification page shows the certificate's name


def test_the_last_attendance_record_issues_the_certificate(app, client, auth, register):
    a = register["learners"][0]
    with app.app_context():
        complete_modules(a)
        finish_everything_but_modules(a)
    auth.login("tess@example.org")
    client.post(f"/cohorts/{register['cohort']}/attendance/day/1", data={f"status-{a}": "present"})
    with app.app_context():
        assert db.session.scalar(select(Certificate)) is None
    client.post(f"/cohorts/{register['cohort']}/attendance/day/2", data={f"status-{a}": "partial",
                                                                         f"minutes-{a}": "200"})
    with app.app_context():
        cert = db.session.scalar(select(Certificate))
        assert cert is not None and cert.user_id == a and cert.trainer == "Tess Trainer"
    overview = client.get(f"/cohorts/{register['cohort']}/attendance").get_data(as_text=True)
    assert "/verify/" in overview and overview.count("Not yet: 5 requirements missing") == 2  # the other two
