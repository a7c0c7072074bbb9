"""Command-line tools: content check, create-admin, demo."""
from pathlib import Path

from sqlalchemy import func, select

from course.extensions import db
from course.models import Cohort, Enrollment, User


def test_content_check_passes_on_shipped_content(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "All content is valid" in result.output


def test_content_check_lists_problems_with_lines(runner, tmp_path):
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "bad.md").write_text(
        "---\nid: bad\ntitle: Bad\nday: 7\norder: 1\nminutes: 5\nobjectives: [1]\nsummary: s\n---\nBody\n"
    )
    result = runner.invoke(args=["content", "check", "--content-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "bad.md:4: day must be 1 or 2" in result.output


def test_create_admin(runner, app):
    result = runner.invoke(
        args=["create-admin", "--email", "Boss@Example.org", "--name", "Boss", "--password", "a long enough pass"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "boss@example.org"))
        assert user.role == "admin" and user.check_password("a long enough pass")
    again = runner.invoke(
        args=["create-admin", "--email", "boss@example.org", "--name", "B", "--password", "a long enough pass"]
    )
    assert again.exit_code != 0 and "already exists" in again.output


def test_create_admin_refuses_weak_password(runner):
    result = runner.invoke(args=["create-admin", "--email", "a@example.org", "--name", "A", "--password", "short"])
    assert result.exit_code != 0 and "at least 10 characters" in result.output


def _counts(app):
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model)) for model in (User, Cohort, Enrollment)
        ) + (tuple(sorted(u.password_hash for u in db.session.scalars(select(User)))),)


def test_demo_is_idempotent(app, runner, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "already-set")
    with app.app_context():
        db.drop_all()  # start empty: the demo applies the migrations itself
    first = runner.invoke(args=["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "trainer@example.org" in first.output and "learner2@example.org" in first.output
    password = (Path(app.instance_path) / "demo_password.txt").read_text().strip()
    assert f"Password for all demo accounts: {password}" in first.output
    after_first = _counts(app)
    second = runner.invoke(args=["demo", "--no-serve"])
    assert second.exit_code == 0, second.output
    assert _counts(app) == after_first
    assert after_first[0] >= 3 and after_first[1] >= 1
    client = app.test_client()
    client.post("/auth/login", data={"email": "learner@example.org", "password": password})
    assert b"Demo cohort" in client.get("/").data


def test_ensure_secret_key_writes_once(tmp_path, monkeypatch):
    from course.cli import ensure_secret_key

    for name in ("SECRET_KEY", "SOP_SECRET_KEY", "FLASK_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert ensure_secret_key(str(tmp_path)) is True
    text = (tmp_path / "config.py").read_text()
    assert "SECRET_KEY = '" in text
    assert ensure_secret_key(str(tmp_path)) is False
    assert (tmp_path / "config.py").read_text() == text
