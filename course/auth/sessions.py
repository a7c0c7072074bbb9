"""Signed-in browsers: every sign-in gets its own token, kept (hashed) in sign_ins and carried in its cookies.

A cookie names the user, the user's session token and the sign-in's token. "Sign out" deletes this
browser's sign-in; "sign out everywhere", a password change or reset and deactivation rotate the
user's session token and delete every sign-in, so copied session and remember-me cookies stop working.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_login import login_user, logout_user
from sqlalchemy import delete, select

from ..converters import db_int
from ..database import utcnow
from ..extensions import db
from ..models import SignIn, User


def token_hash(token: str) -> str:
    """Return the stored form of a random token (SHA-256: the token itself is already random)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def sign_in(user: User, remember: bool = False) -> None:
    """Sign the user in on this browser with a new sign-in token (the caller commits)."""
    token = secrets.token_urlsafe(32)
    oldest = utcnow() - remember_duration()
    db.session.execute(delete(SignIn).where(SignIn.user_id == user.id, SignIn.created_at < oldest))
    db.session.add(SignIn(user_id=user.id, token_hash=token_hash(token), remember=bool(remember)))
    user.sign_in_token = token
    user.last_login_at = utcnow()
    login_user(user, remember=remember)


def sign_out(user: User) -> None:
    """Sign out on this browser only: its sign-in stops working even where its cookie was copied."""
    if getattr(user, "sign_in_token", None):
        db.session.execute(delete(SignIn).where(SignIn.user_id == user.id,
                                                SignIn.token_hash == token_hash(user.sign_in_token)))
    logout_user()


def end_every_sign_in(user: User) -> None:
    """Sign the user out on every browser (the caller commits, and may then sign this browser in again)."""
    user.rotate_session_token()
    db.session.execute(delete(SignIn).where(SignIn.user_id == user.id))


def signed_in_count(user: User) -> int:
    """Return how many browsers hold a sign-in for this user."""
    return len(db.session.scalars(select(SignIn.id).where(SignIn.user_id == user.id)).all())


def load_user(cookie_id: str) -> User | None:
    """Return the user a cookie names, only while its session token and sign-in are still valid."""
    parts = str(cookie_id).split(":")
    if len(parts) != 3 or db_int(parts[0]) is None or not parts[1] or not parts[2]:
        return None  # includes cookies from before sign-ins were kept: they sign in again
    user_id, session_token, sign_in_token = db_int(parts[0]), parts[1], parts[2]
    user = db.session.get(User, user_id)
    if user is None or not user.active or not hmac.compare_digest(user.session_token, session_token):
        return None
    found = db.session.scalar(select(SignIn.id).where(SignIn.user_id == user.id,
                                                      SignIn.token_hash == token_hash(sign_in_token)))
    if found is None:
        return None
    user.sign_in_token = sign_in_token
    return user


def remember_duration() -> timedelta:
    """Return how long a remember-me sign-in lasts (the setting may be seconds or a timedelta)."""
    value = current_app.config["REMEMBER_COOKIE_DURATION"]
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def current_sign_in_remembered(user: User) -> bool:
    """Return whether this browser's sign-in asked to be remembered."""
    if not getattr(user, "sign_in_token", None):
        return False
    return bool(db.session.scalar(select(SignIn.remember).where(
        SignIn.user_id == user.id, SignIn.token_hash == token_hash(user.sign_in_token))))
