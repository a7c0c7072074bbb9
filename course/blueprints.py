"""Every feature blueprint, registered in one place."""
import importlib

from flask import Flask

# Feature packages, each defining `bp` (with its own url_prefix when it needs one).
FEATURES = (
    "curriculum", "auth", "cohorts", "admin", "api", "health",
    "exercises", "drills", "review", "quizzes", "glossary", "objectives",
    "classroom", "pilot", "xapi", "kit",
)
URL_PREFIXES = {"auth": "/auth", "cohorts": "/cohorts", "admin": "/admin", "api": "/api/v1"}


def installed_features() -> list[str]:
    """Return the feature packages present in this checkout."""
    found = []
    for name in FEATURES:
        try:
            importlib.import_module(f"course.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"course.{name}":
                continue
            raise
        found.append(name)
    return found


def register_blueprints(app: Flask) -> None:
    """Attach each feature's blueprint to the app."""
    for name in installed_features():
        module = importlib.import_module(f"course.{name}")
        bp = getattr(module, "bp", None)
        if bp is not None:
            app.register_blueprint(bp, url_prefix=URL_PREFIXES.get(name, bp.url_prefix))
        init = getattr(module, "init_app", None)
        if init is not None:
            init(app)
