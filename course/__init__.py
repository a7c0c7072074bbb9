"""SOP Foundations: the Flask application factory."""
from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import DEFAULTS, REPO_ROOT, SECRET_KEY_HELP, MissingSecretKey, database_url_from_env
from .extensions import csrf, db, login_manager, migrate

MIGRATIONS_DIR = str(REPO_ROOT / "migrations")


def instance_path() -> str:
    """Return the instance folder: SOP_INSTANCE_PATH, or instance/ at the repository root."""
    return os.environ.get("SOP_INSTANCE_PATH") or str(REPO_ROOT / "instance")


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app: defaults, instance config, environment, test overrides."""
    app = Flask(__name__, instance_path=instance_path(), instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("FLASK")
        app.config.from_prefixed_env("SOP")
        if os.environ.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
        if database_url_from_env():
            app.config["SQLALCHEMY_DATABASE_URI"] = database_url_from_env()
    else:
        app.config.from_mapping(test_config)
    _finish_config(app)
    _trust_proxies(app)

    os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    login_manager.init_app(app)
    csrf.init_app(app)

    from . import models  # noqa: F401  (register every table with the metadata)
    from .blueprints import register_blueprints
    from .cli import register_cli
    from .database import configure_engine_events
    from .errors import register_error_handlers
    from .headers import register_security_headers
    from .templating import register_template_helpers

    configure_engine_events(app)
    from .converters import DatabaseIntConverter

    app.url_map.converters["int"] = DatabaseIntConverter  # before any route is added: every <int:id> uses it
    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_cli(app)
    if app.config["GRADER_PRELOAD"] and not app.testing:
        from .grading import preload

        preload()
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES proxies, take the client's address and scheme from their X-Forwarded-* headers."""
    count = int(app.config.get("TRUSTED_PROXIES") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def _finish_config(app: Flask) -> None:
    """Fill derived settings; refuse to start without a secret key in production or with bad grading settings."""
    from .grading import check_settings

    check_settings(app.config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = os.path.join(app.instance_path, "sop.sqlite3")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if app.testing or app.debug:
        app.config.setdefault("SECRET_KEY", None)
        if not app.config["SECRET_KEY"]:
            app.config["SECRET_KEY"] = "dev-only-not-secret"
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
    elif not app.config.get("SECRET_KEY"):
        raise MissingSecretKey(SECRET_KEY_HELP)
