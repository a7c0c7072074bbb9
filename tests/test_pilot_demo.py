"""The demo's pilot learners fill every section of the pilot report (nothing is hidden under five responses)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from course.extensions import db
from course.models.pilot import CourseEvaluation, ModuleFeedback
from course.models.quizzes import QuizAttempt
from course.pilot.report import HIDDEN_NOTE


def test_demo_pilot_report_shows_every_section(app, runner, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "already-set")
    with app.app_context():
        db.drop_all()  # the demo applies the migrations itself
    result = runner.invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "Pilot report: 6 pilot learners" in result.output
    with app.app_context():
        evaluations = db.session.scalar(select(func.count()).select_from(CourseEvaluation))
        checks = dict(db.session.execute(select(QuizAttempt.kind, func.count()).group_by(QuizAttempt.kind)).all())
        ratings = db.session.scalar(select(func.count()).select_from(ModuleFeedback))
    assert evaluations >= 6 and checks.get("pre", 0) >= 6 and checks.get("post", 0) >= 6 and ratings > 0
    password = (Path(app.instance_path) / "demo_password.txt").read_text().strip()
    client = app.test_client()
    client.post("/auth/login", data={"email": "trainer@example.org", "password": password})
    page = client.get("/pilot/report").get_data(as_text=True)
    assert HIDDEN_NOTE not in page and "hidden-note" not in page, "a section of the demo report is still hidden"
    for heading in ("Module ratings", "Would recommend the course", "Knowledge"):
        assert heading in page, heading
    # What the demo says ("5 of them through every module") is what the completion rules count.
    assert "5 of them through every module" in result.output
    with app.app_context():
        from course.auth.services import find_user
        from course.completion.services import completed_module_ids, required_modules

        required = {m.id for m in required_modules()}
        through = [n for n in range(1, 7) if required <= completed_module_ids(find_user(f"pilot{n}@example.org"))]
    assert len(through) == 5, through
    assert runner.invoke(args=["demo", "--no-serve"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CourseEvaluation)) == evaluations, (
            "running the demo again changed the pilot data")
