"""Module completion and hours, worked out from the rules and the learner's records on every read."""
from __future__ import annotations

import datetime
import shutil

import pytest
from sqlalchemy import select

from course.completion.services import hours_earned, module_states, required_modules
from course.config import DEFAULTS
from course.curriculum.services import all_modules, get_module
from course.events import module_completed
from course.extensions import db
from course.models import Cohort, MappingAttempt, ModuleProgress, User
from course.models.attendance import Attendance
from course.models.work import DrillAttempt
from tests.conftest import Factory, make_app
from tests.test_pilot_support import complete_modules, pass_check, take_check


def _state(user_id: int, module_id: str):
    return next(s for s in module_states(db.session.get(User, user_id)) if s.module.id == module_id)


@pytest.fixture
def learner(factory):
    return factory.user("learner", cohort_id=factory.cohort("Self-paced"))


@pytest.mark.parametrize("percents, complete", [
    ((80,), True),
    ((79,), False),
    ((79.6,), False),  # the exact score counts, not the rounded percentage
    ((60, 90, 50), True),  # retakes allowed, the best counts
    ((50, 70), False),
])
def test_a_check_completes_its_module_at_the_threshold(app, learner, percents, complete):
    with app.app_context():
        for percent in percents:
            pass_check(learner, "harm-statements", percent)
        db.session.commit()
        state = _state(learner, "harm-statements")
        assert state.complete is complete and state.threshold == 80 and state.tries == len(percents)
        assert state.best_percent == round(max(percents))


def test_marking_counts_only_for_a_module_with_no_check_or_activity(app, client, auth, factory, learner):
    auth.login(factory.email(learner))
    refused = client.post("/modules/harm-statements/complete", follow_redirects=True).get_data(as_text=True)
    assert "complete when you pass its knowledge check at 80% or better" in refused
    page = client.get("/modules/harm-statements").get_data(as_text=True)
    assert "Mark complete" not in page and "Take the knowledge check" in page
    assert "Reach 80% to complete the module" in page
    welcome = client.get("/modules/welcome").get_data(as_text=True)
    assert "Mark complete and continue" in welcome
    assert client.post("/modules/welcome/complete").status_code == 302
    with app.app_context():
        assert _state(learner, "welcome").complete and not _state(learner, "harm-statements").complete
        row = db.session.scalar(select(ModuleProgress).filter_by(user_id=learner, module_id="harm-statements"))
        assert row is None or row.completed_at is None
    before = client.get("/modules/before-you-begin").get_data(as_text=True)
    assert "Mark complete" not in before and 'href="/quizzes/key-terms/pre"' in before


def test_a_passed_check_announces_the_module_once(app, learner):
    seen = []

    def listener(sender, **kw):
        seen.append(kw["module_id"])

    module_completed.connect(listener)
    try:
        with app.app_context():
            take_check(learner, "harm-statements", right=1)
            take_check(learner, "harm-statements")
            take_check(learner, "harm-statements")
            take_check(learner, "key-terms", kind="pre")
    finally:
        module_completed.disconnect(listener)
    assert seen == ["harm-statements", "before-you-begin"]


@pytest.fixture
def course_copy(tmp_path):
    """An app on a copy of the course content, whose rules file a test may change."""
    content = tmp_path / "content"
    shutil.copytree(DEFAULTS["CONTENT_DIR"], content)
    app = make_app(tmp_path, CONTENT_DIR=str(content))
    yield app, content / "completion.yaml"
    with app.app_context():
        db.engine.dispose()


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_module_can_have_its_own_threshold(course_copy):
    app, rules = course_copy
    _edit(rules, "harm-statements: {required: true, counts: check}",
          "harm-statements: {required: true, counts: check, pass_percent: 90}")
    learner = Factory(app).user("learner")
    with app.app_context():
        pass_check(learner, "harm-statements", 85)
        db.session.commit()
        assert not _state(learner, "harm-statements").complete and _state(learner, "harm-statements").threshold == 90
        pass_check(learner, "harm-statements", 90)
        db.session.commit()
        assert _state(learner, "harm-statements").complete
        assert _state(learner, "danger-statements").threshold == 80


@pytest.mark.parametrize("activity, undone, done", [
    ("{type: drill, drill: drill-harm-neglect-1}",
     DrillAttempt(drill_id="drill-harm-neglect-1", text="x", verdict="revise"),
     DrillAttempt(drill_id="drill-harm-neglect-1", text="y", verdict="ready")),
    ("{type: mapping, family: hill-family}",
     MappingAttempt(vignette_id="nguyen-family", placements={}, correct=1, total=14),
     MappingAttempt(vignette_id="hill-family", placements={}, correct=3, total=14)),
])
def test_an_activity_completes_a_module_without_a_check(course_copy, activity, undone, done):
    app, rules = course_copy
    _edit(rules, "    counts: mark\n", f"    counts: activity\n    activity: {activity}\n")
    learner = Factory(app).user("learner")
    with app.app_context():
        db.session.add(ModuleProgress(user_id=learner, module_id="welcome", last_position="",
                                      completed_at=datetime.datetime.now(datetime.UTC)))  # a mark no longer counts
        undone.user_id = learner
        db.session.add(undone)
        db.session.commit()
        assert not _state(learner, "welcome").complete and _state(learner, "welcome").status == "in_progress"
        done.user_id = learner
        db.session.add(done)
        db.session.commit()
        assert _state(learner, "welcome").complete


def test_while_the_rules_have_a_problem_no_certificate_is_issued(course_copy):
    from course.pilot.services import issue_if_complete
    from tests.test_pilot_support import finish_everything_but_modules

    app, rules = course_copy
    learner = Factory(app).user("learner")
    with app.app_context():
        complete_modules(learner)
        finish_everything_but_modules(learner)
        _edit(rules, "pass_percent: 80", "pass_percent: 800")
        assert issue_if_complete(db.session.get(User, learner)) is None
        _edit(rules, "pass_percent: 800", "pass_percent: 80")
        assert issue_if_complete(db.session.get(User, learner)) is not None


# ---------------------------------------------------------------- hours

def _minutes(ids) -> int:
    return sum(get_module(i).minutes for i in ids)


def test_hours_without_classroom_dates_are_the_completed_modules(app, learner):
    with app.app_context():
        ids = ["before-you-begin", "welcome", "what-is-sop", "harm-statements"]
        complete_modules(learner, ids)
        pass_check(learner, "icpm", 50)  # not passed: does not count
        db.session.commit()
        earned = hours_earned(db.session.get(User, learner))
        assert not earned.classroom and earned.days == ()
        assert earned.minutes == _minutes(ids) and earned.hours == (_minutes(ids) // 30) / 2


@pytest.fixture
def classroom(app, factory):
    """A learner in a cohort that meets on two dated classroom days; returns (cohort id, learner id)."""
    trainer = factory.user("trainer")
    cohort_id = factory.cohort("Classroom", trainer_id=trainer)
    learner = factory.user("learner", cohort_id=cohort_id)
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        cohort.day1_date, cohort.day2_date = datetime.date(2027, 5, 3), datetime.date(2027, 5, 10)
        db.session.commit()
    return cohort_id, learner


@pytest.mark.parametrize("day1, day2, partial2", [
    ("present", "present", None),
    ("present", "partial", 120),
    ("present", "partial", 5000),  # more than the day: capped at the day's minutes
    ("absent", "partial", 90),
    (None, None, None),
])
def test_classroom_hours_are_attended_minutes_plus_completed_self_paced_modules(app, classroom, day1, day2, partial2):
    cohort_id, learner = classroom
    with app.app_context():
        modules = all_modules()
        day_minutes = {d: sum(m.minutes for m in modules if m.day == d and not m.prework) for d in (1, 2)}
        prework = [m.id for m in modules if m.prework]
        complete_modules(learner, [m.id for m in modules])  # classroom modules done online count through attendance
        for day, status, minutes in ((1, day1, None), (2, day2, partial2)):
            if status:
                db.session.add(Attendance(cohort_id=cohort_id, user_id=learner, day=day, status=status,
                                          minutes=minutes))
        db.session.commit()
        earned = hours_earned(db.session.get(User, learner))
        attended = {"present": day_minutes[1], "absent": 0, None: 0}[day1]
        attended += {"present": day_minutes[2], "partial": min(partial2 or 0, day_minutes[2]), None: 0}[day2]
        assert earned.classroom and earned.classroom_minutes == attended
        assert [s.module.id for s in earned.modules] == prework and earned.module_minutes == _minutes(prework)
        assert earned.minutes == attended + _minutes(prework)
        assert earned.hours == (earned.minutes // 30) / 2


def test_each_required_module_is_listed_once_in_course_order(app):
    with app.app_context():
        required = [m.id for m in required_modules()]
        order = [m.id for m in all_modules()]
    assert len(required) == len(set(required)) and required == [i for i in order if i in required]
    assert "before-you-begin" not in required and "behaviorally-specific-language" in required


def test_home_and_agenda_count_only_what_the_rules_count(app, client, auth, factory, learner):
    with app.app_context():
        db.session.add(ModuleProgress(user_id=learner, module_id="icpm", last_position="",
                                      completed_at=datetime.datetime.now(datetime.UTC)))  # an old clicked flag
        complete_modules(learner, ["what-is-sop"])
        total = len(all_modules())
    auth.login(factory.email(learner))
    home = client.get("/").get_data(as_text=True)
    assert f"1 of {total} modules complete" in home
