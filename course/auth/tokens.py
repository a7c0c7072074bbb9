"""One-time links sent by email: password reset and email verification. Only a hash of each token is stored."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update

from ..database import utcnow
from ..extensions import db
from ..models import AccountToken, User
from .sessions import token_hash

RESET = "reset"
VERIFY = "verify"


def issue_token(user: User, purpose: str, lifetime: timedelta) -> str:
    """Create a token for the user (replacing their unused ones for the same purpose); return it (caller commits)."""
    db.session.execute(delete(AccountToken).where(AccountToken.user_id == user.id, AccountToken.purpose == purpose,
                                                  AccountToken.used_at.is_(None)))
    token = secrets.token_urlsafe(32)
    db.session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=token_hash(token),
                                expires_at=utcnow() + lifetime))
    return token


def peek_token(token: str, purpose: str) -> User | None:
    """Return the user a valid, unused, unexpired token belongs to, without using it (for GET pages)."""
    row = db.session.scalar(select(AccountToken).where(
        AccountToken.token_hash == token_hash(token), AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None), AccountToken.expires_at > utcnow()))
    return db.session.get(User, row.user_id) if row is not None else None


def use_token(token: str, purpose: str) -> User | None:
    """Spend a token once: mark it used in one conditional update and return its user (None if it was not valid)."""
    now = utcnow()
    conditions = (AccountToken.token_hash == token_hash(token), AccountToken.purpose == purpose,
                  AccountToken.used_at.is_(None), AccountToken.expires_at > now)
    user_id = db.session.scalar(select(AccountToken.user_id).where(*conditions))
    if user_id is None:
        return None
    result = db.session.execute(update(AccountToken).where(*conditions).values(used_at=now)
                                .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # another request spent it first
        return None
    return db.session.get(User, user_id)
