"""App factory and configuration."""
import pytest

import grader
from course import create_app
from course.config import DEFAULTS, MissingSecretKey, database_url_from_env
from course.grading import GradingSettingError


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """An instance folder in tmp_path and no SOP_/FLASK_ settings from the machine running the tests."""
    import os

    for name in list(os.environ):
        if name.startswith(("SOP_", "FLASK_")) or name in ("SECRET_KEY", "DATABASE_URL"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SOP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SOP_GRADER_PRELOAD", "false")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    return tmp_path


@pytest.mark.parametrize("instance, flask_env, sop_env, expected", [
    (None, None, None, "default"),  # nothing set: the default
    ("instance", None, None, "instance"),  # instance/config.py beats the default
    ("instance", "flask", None, "flask"),  # FLASK_* beats the instance file
    ("instance", "flask", "sop", "sop"),  # SOP_* is read last, so it wins
    (None, None, "sop", "sop"),
])
def test_settings_precedence_defaults_instance_then_environment(clean_env, monkeypatch, instance, flask_env,
                                                                  sop_env, expected):
    if instance:
        (clean_env / "config.py").write_text(f"SITE_NAME = {instance!r}\n")
    if flask_env:
        monkeypatch.setenv("FLASK_SITE_NAME", flask_env)
    if sop_env:
        monkeypatch.setenv("SOP_SITE_NAME", sop_env)
    site_name = create_app().config["SITE_NAME"]
    assert site_name == (DEFAULTS["SITE_NAME"] if expected == "default" else expected)


def test_test_overrides_replace_instance_and_environment(clean_env, monkeypatch):
    """create_app(test_config) reads neither the instance file nor the environment, only defaults and overrides."""
    (clean_env / "config.py").write_text("SITE_NAME = 'instance'\nGRADE_MAX_CHARS = 9000\n")
    monkeypatch.setenv("SOP_SITE_NAME", "sop")
    app = create_app({"TESTING": True, "SECRET_KEY": "override", "SITE_NAME": "override", "GRADER_PRELOAD": False})
    assert app.testing
    assert (app.config["SITE_NAME"], app.config["SECRET_KEY"]) == ("override", "override")
    assert app.config["GRADE_MAX_CHARS"] == DEFAULTS["GRADE_MAX_CHARS"]  # the instance file was not read
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{clean_env / 'sop.sqlite3'}"  # derived after


def test_environment_settings_are_parsed_and_checked(clean_env, monkeypatch):
    monkeypatch.setenv("SOP_GRADE_MAX_CHARS", "8000")
    assert create_app().config["GRADE_MAX_CHARS"] == 8000  # JSON-parsed: a number, not the string "8000"
    monkeypatch.setenv("SOP_GRADE_MAX_CHARS", str(grader.MAX_CHARS + 1))
    with pytest.raises(GradingSettingError, match="GRADE_MAX_CHARS"):
        create_app()


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
