"""The course content as a whole: it passes `content check`, covers every objective, and fits two days."""
from __future__ import annotations

from course.curriculum.loader import library_for as modules_for
from course.objectives.services import coverage

DAY_MINUTES = (300, 390)
TOTAL_MINUTES = (600, 780)


def test_content_check_passes_with_quiz_and_glossary_checkers(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "quizzes: 0 problems" in result.output and "glossary: 0 problems" in result.output


def test_every_objective_is_taught_and_assessed(app):
    with app.app_context():
        items = coverage()
    assert [c.number for c in items] == list(range(1, 11))
    for item in items:
        assert item.modules, f"objective {item.number} ({item.title}) has no module that teaches it"
        assert item.assessed, f"objective {item.number} ({item.title}) has no quiz item or exercise that checks it"
    for number in (8, 9, 10):
        assert next(c for c in items if c.number == number).exercises, f"objective {number} needs its exercises"


def test_classroom_minutes_fit_two_days(app):
    modules = modules_for(app.config["CONTENT_DIR"]).all()
    per_day = {day: sum(m.minutes for m in modules if m.day == day and not m.prework) for day in (1, 2)}
    for day, minutes in per_day.items():
        assert DAY_MINUTES[0] <= minutes <= DAY_MINUTES[1], f"Day {day} has {minutes} classroom minutes"
    total = sum(per_day.values())
    assert TOTAL_MINUTES[0] <= total <= TOTAL_MINUTES[1], f"the course has {total} classroom minutes"
