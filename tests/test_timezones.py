"""Times in the cohort's time zone, with the zone named, through the one `localtime` filter."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from course.extensions import db
from course.models import Cohort
from course.models.classroom import ClassSession
from course.timezones import ZONE_CHOICES, localtime
from tests.conftest import AuthActions

WINTER = datetime(2027, 1, 5, 20, 5, tzinfo=UTC)
SUMMER = datetime(2027, 7, 5, 20, 5, tzinfo=UTC)
LATE = datetime(2027, 3, 4, 3, 30, tzinfo=UTC)  # still the 3rd in California
TEMPLATES = Path(__file__).resolve().parent.parent / "course" / "templates"


@pytest.mark.parametrize("value, style, zone, expected", [
    (WINTER, "datetime", "America/Los_Angeles", "Tue 5 Jan 2027, 12:05 PM PST"),
    (SUMMER, "time", "America/Los_Angeles", "1:05 PM PDT"),
    (WINTER, "time", "America/New_York", "3:05 PM EST"),
    (SUMMER, "time", "America/Phoenix", "1:05 PM MST"),
    (WINTER, "time", "Pacific/Honolulu", "10:05 AM HST"),
    (WINTER, "time", "UTC", "8:05 PM UTC"),
    (LATE, "date", "America/Los_Angeles", "Wed 3 Mar 2027"),
    (LATE, "date", "UTC", "Thu 4 Mar 2027"),
    (LATE, "long_date", "America/Los_Angeles", "3 March 2027"),
    (datetime(2027, 1, 5, 20, 5), "time", "America/Los_Angeles", "12:05 PM PST"),  # naive means UTC
    (date(2027, 3, 4), "date", "America/New_York", "Thu 4 Mar 2027"),  # a calendar date has no zone
    (WINTER, "time", "Not/AZone", "12:05 PM PST"),  # a bad stored zone falls back to the default
])
def test_localtime_names_the_zone(value, style, zone, expected):
    assert localtime(value, style, zone) == expected


def test_localtime_takes_a_cohort_and_an_empty_text():
    cohort = Cohort(name="East", join_code="X", time_zone="America/Chicago")
    assert localtime(WINTER, "time", cohort) == "2:05 PM CST"
    assert localtime(None, empty="never") == "never"
    with pytest.raises(ValueError, match="unknown style"):
        localtime(WINTER, "hours")


def test_every_zone_choice_is_a_real_zone():
    for key, label in ZONE_CHOICES:
        assert localtime(WINTER, "time", key).split()[-1], f"{key} ({label}) has no name"


def test_templates_show_times_only_through_the_filter():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            shown = re.sub(r'type="date"[^>]*value="[^"]*"', "", line)  # a date input's value is data, not display
            shown = re.sub(r'(datetime|data-[\w-]+)="[^"]*"', "", shown)  # machine-readable attributes, likewise
            if re.search(r"strftime|\|hhmm|isoformat\(|\|datetimeformat", shown):
                offenders.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:100]}")
    assert not offenders, "show times with |localtime:\n" + "\n".join(offenders)


def test_cohort_form_saves_the_zone_and_pages_use_it(app, client, factory):
    trainer = factory.user("trainer", email="zone.trainer@example.org")
    cohort_id = factory.cohort("Sacramento", trainer_id=trainer)
    AuthActions(client).login("zone.trainer@example.org")
    form = client.get(f"/cohorts/{cohort_id}/edit").get_data(as_text=True)
    assert '<option selected value="America/Los_Angeles">' in form
    response = client.post(f"/cohorts/{cohort_id}/edit",
                           data={"name": "Sacramento", "time_zone": "America/New_York"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "Eastern time" in client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert client.post(f"/cohorts/{cohort_id}/edit", data={"name": "S", "time_zone": "Mars/Olympus"}).status_code == 400

    response = client.post("/classroom/sessions",
                           data={"cohort_id": cohort_id, "day": 1, "module_id": "welcome", "day_start": "09:00"})
    session_id = int(response.location.rstrip("/").split("/")[-1])
    with app.app_context():
        session = db.session.get(ClassSession, session_id)
        session.created_at = WINTER
        db.session.commit()
    page = client.get("/classroom/").get_data(as_text=True)
    assert "Started 3:05 PM EST" in page
    with app.app_context():
        db.session.get(Cohort, cohort_id).time_zone = "America/Los_Angeles"
        db.session.commit()
    assert "Started 12:05 PM PST" in client.get("/classroom/").get_data(as_text=True)


def test_new_cohorts_default_to_california(app, client, factory):
    factory.user("trainer", email="new.trainer@example.org")
    AuthActions(client).login("new.trainer@example.org")
    assert client.post("/cohorts/new", data={"name": "Fresno"}).status_code == 302
    with app.app_context():
        assert db.session.query(Cohort).filter_by(name="Fresno").one().time_zone == "America/Los_Angeles"
