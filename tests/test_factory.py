"""App factory and configuration."""
import pytest

from course import create_app
from course.config import MissingSecretKey, database_url_from_env


def test_testing_config(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == "test-secret"


def test_missing_secret_key_stops_start_up(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SOP_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.setenv("SOP_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(MissingSecretKey) as excinfo:
        create_app()
    message = str(excinfo.value)
    assert "SECRET_KEY is not set" in message
    assert "export SECRET_KEY" in message and "instance/config.py" in message


def test_environment_overrides_instance_config(monkeypatch, tmp_path):
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-instance'\nSITE_NAME = 'From instance'\n")
    monkeypatch.setenv("SOP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SOP_SITE_NAME", "From env")
    monkeypatch.setenv("SOP_GRADER_PRELOAD", "false")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-instance"
    assert app.config["SITE_NAME"] == "From env"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'sop.sqlite3'}"


def test_production_cookie_flags(monkeypatch, tmp_path):
    monkeypatch.setenv("SOP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("SOP_GRADER_PRELOAD", "false")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql://u:p@h:5433/db", "postgresql+psycopg://u:p@h:5433/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url_uses_psycopg3(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert database_url_from_env() == expected


def test_sqlite_uses_wal_and_busy_timeout(app):
    from sqlalchemy import text

    from course.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite-only pragmas")
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 15000


def test_404_page_is_friendly(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"We could not find that page" in response.data
    assert b"course home" in response.data


def test_500_page_rolls_back(app):
    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.data
