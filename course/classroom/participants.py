"""Who a phone is in a live session: a random token in a cookie, a participant row, and the join limits.

Joining needs the live code only. The device's token (a cookie on /live, made on the first page
it sees) identifies it; the database keeps only the token's hash. A signed-in learner of the
cohort is also linked by account, so their other devices find the same participant.

Limits are per live session and per device, never per address: a classroom shares one address.
Wrong codes are guesses, throttled per device and for the whole site, as for the screen code.
"""
from __future__ import annotations

import hashlib
import secrets

from flask import Response, current_app, request
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..auth.services import normalise_join_code
from ..extensions import db
from ..models.classroom import ClassSession, LiveParticipant
from ..ratelimit import RateLimitResult, check_and_hit, first_refusal, peek
from .services import ClassroomError, may_join, session_by_join_code

DEVICE_COOKIE = "sop_live"
GUESS_WINDOW = 600
JOIN_WINDOW = 600
POST_WINDOW = 60
NAME_MAX = 40


# ---------------------------------------------------------------- the device token

def device_token() -> str | None:
    """Return this device's token from its cookie, if it has a well-formed one."""
    token = request.cookies.get(DEVICE_COOKIE, "")
    return token if 20 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum() else None


def new_device_token() -> str:
    """Return a fresh random device token."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    """Return the stored form of a token (sha256 hex): a database leak gives no usable cookie."""
    return hashlib.sha256(token.encode()).hexdigest()


def set_device_cookie(response: Response, token: str) -> Response:
    """Give the device its token for the length of a session (HttpOnly, only sent to /live)."""
    hours = current_app.config.get("CLASSROOM_SESSION_HOURS", 12)
    response.set_cookie(DEVICE_COOKIE, token, max_age=int(hours * 3600), path="/live", httponly=True,
                        samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


# ---------------------------------------------------------------- finding the participant

def _signed_in_user():
    """Return the signed-in user, or None for an anonymous phone."""
    return current_user if getattr(current_user, "is_authenticated", False) else None


def current_participant(session: ClassSession) -> LiveParticipant | None:
    """Return this device's participant in the session: by its token, else by the signed-in account."""
    token = device_token()
    if token:
        found = db.session.scalar(select(LiveParticipant).where(LiveParticipant.session_id == session.id,
                                                                LiveParticipant.token_hash == token_hash(token)))
        if found is not None:
            return found
    user = _signed_in_user()
    if user is not None:
        return db.session.scalar(select(LiveParticipant).where(LiveParticipant.session_id == session.id,
                                                               LiveParticipant.user_id == user.id))
    return None


def participant_or_error(session: ClassSession) -> LiveParticipant:
    """Return this device's participant, or refuse with what to do (join with the code)."""
    participant = current_participant(session)
    if participant is None:
        raise ClassroomError("This phone has not joined the session. Open the join page and type the code.", 403)
    return participant


# ---------------------------------------------------------------- limits

def _guess_keys(token: str) -> list[tuple[str, int, int]]:
    """Return the wrong-code throttles: per device and for the whole site."""
    config = current_app.config
    return [(f"live:guess:device:{token_hash(token)}", config["LIVE_CODE_GUESSES_PER_DEVICE"], GUESS_WINDOW),
            ("live:guess:global", config["LIVE_CODE_GUESSES_GLOBAL"], GUESS_WINDOW)]


def guarded_session(code: str, token: str) -> tuple[ClassSession | None, RateLimitResult | None]:
    """Return (session, refusal) for a typed live code, counting a wrong code as a guess.

    A device already in the session, or a signed-in member of its cohort, is never held up by
    guesses; anyone else is refused while their own or the site's wrong guesses are over the
    limit, right code or not, so the answer tells a guesser nothing.
    """
    session = session_by_join_code(code) if normalise_join_code(code) else None
    if session is not None:
        user = _signed_in_user()
        if current_participant(session) is not None or (user is not None and may_join(user, session)):
            return session, None
    keys = _guess_keys(token)
    spent = [r for r in (peek(key, limit) for key, limit, _ in keys) if not r.allowed]
    if spent:
        return None, max(spent, key=lambda r: r.retry_after)
    if session is None:
        return None, first_refusal(keys)
    return session, None


def join_refusal(session: ClassSession, token: str) -> RateLimitResult | None:
    """Count a join against the session's and the device's limits; return the refusal, if any."""
    config = current_app.config
    return first_refusal([
        (f"live:join:session:{session.id}", config["LIVE_JOINS_PER_SESSION"], JOIN_WINDOW),
        (f"live:join:device:{token_hash(token)}", config["LIVE_JOINS_PER_DEVICE"], JOIN_WINDOW),
    ])


def post_refusal(participant: LiveParticipant) -> RateLimitResult | None:
    """Count a response or answer against the participant's limit; return the refusal, if any."""
    limit = current_app.config["LIVE_POSTS_PER_PARTICIPANT"]
    result = check_and_hit(f"live:post:{participant.id}", limit, POST_WINDOW)
    return None if result.allowed else result


# ---------------------------------------------------------------- joining

def clean_name(name: str | None) -> str:
    """Return a display name without control characters or extra spaces, at most NAME_MAX characters."""
    text = "".join(ch for ch in (name or "") if ch.isprintable())
    return " ".join(text.split())[:NAME_MAX]


def join(session: ClassSession, token: str, name: str | None) -> LiveParticipant:
    """Add this device to the session (or update its name when it joins again); the caller commits."""
    user = _signed_in_user()
    linked = user if user is not None and may_join(user, session) else None
    participant = current_participant(session)
    if participant is not None:
        participant.display_name = clean_name(name)
        if participant.user_id is None and linked is not None:
            participant.user_id = linked.id
        if participant.token_hash != token_hash(token) and _token_free(session, token):
            participant.token_hash = token_hash(token)  # the account's newest device
        return participant
    for _attempt in range(8):
        number = (db.session.scalar(select(func.max(LiveParticipant.number))
                                    .where(LiveParticipant.session_id == session.id)) or 0) + 1
        participant = LiveParticipant(session_id=session.id, token_hash=token_hash(token), number=number,
                                      display_name=clean_name(name), user_id=linked.id if linked else None)
        try:
            with db.session.begin_nested():
                db.session.add(participant)
        except IntegrityError:
            found = current_participant(session)
            if found is not None:  # the same device's double tap won the race
                return found
            continue  # another phone took this number
        return participant
    raise ClassroomError("The room is busy; tap Join again in a moment.", 503)


def _token_free(session: ClassSession, token: str) -> bool:
    """Return whether no participant of the session holds this token yet."""
    return db.session.scalar(select(LiveParticipant.id).where(LiveParticipant.session_id == session.id,
                                                              LiveParticipant.token_hash == token_hash(token))) is None
