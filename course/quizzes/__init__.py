"""Knowledge checks: module quizzes and the pre/post key-terms check."""
from flask import Blueprint, Flask

bp = Blueprint("quizzes", __name__, url_prefix="/quizzes")


def init_app(app: Flask) -> None:
    """Let the module page and course home show a module's check and the learner's pre/post gain."""
    from .services import home_checks, module_check_summary
    from .weekly import notice_for_current_user

    app.jinja_env.globals["module_check_summary"] = module_check_summary
    app.jinja_env.globals["home_checks"] = home_checks
    app.jinja_env.globals["weekly_check_notice"] = notice_for_current_user


from . import cli, routes  # noqa: E402,F401
