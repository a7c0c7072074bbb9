"""Sign in, sign out and joining a cohort."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from ..extensions import db, login_manager  # noqa: E402
from ..models import User  # noqa: E402
from ..numbers import plain_int  # noqa: E402
from . import routes  # noqa: E402,F401

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Return the signed-in user from the session's id."""
    return db.session.get(User, plain_int(user_id)) if plain_int(user_id) is not None else None
