"""Rate limits kept in the database, so every gunicorn worker and machine shares them.

Each check is one INSERT ... ON CONFLICT DO UPDATE ... RETURNING statement (SQLite 3.35+ and
PostgreSQL), run in its own short transaction: the hit is counted and the answer read in one
atomic step, so parallel requests cannot all slip under the limit, and the hit stays counted even
when the request later fails or rolls back. Call these before the request writes anything else
(on SQLite a second connection would wait for the request's own write lock).

- `check_and_hit(key, limit, window_seconds)`: a fixed window; the first `limit` hits pass.
- `hit_with_backoff(key, free, base_seconds, max_seconds, forget_seconds)`: the first `free`
  hits pass, then each allowed hit blocks the key for twice as long as the one before.
- `peek(key, limit)` reads a key without counting (is it already spent?).
- `refund(key)` takes a hit back (a success that should not count); `reset(key)` forgets the key.
- `rate_limit(...)` decorates a view; `too_many_requests(result)` answers 429 with Retry-After.
"""
from __future__ import annotations

import math
import random
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from flask import current_app, jsonify, render_template, request
from sqlalchemy import and_, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db
from .models.ratelimit import RateLimit

CLEANUP_CHANCE = 0.02  # about one check in fifty also deletes expired rows (an indexed range delete)
_table = RateLimit.__table__


@dataclass(frozen=True)
class RateLimitResult:
    """The answer to one hit: whether it may go ahead, and if not, how many seconds until it may."""

    allowed: bool
    retry_after: int = 0
    hits: int = 0


def _insert():
    """Return the dialect's INSERT that supports ON CONFLICT DO UPDATE."""
    name = db.engine.dialect.name
    if name == "postgresql":
        return postgresql.insert(_table)
    if name == "sqlite":
        return sqlite.insert(_table)
    raise RuntimeError(f"the rate limiter needs SQLite or PostgreSQL, not {name}")


def _run(statement) -> tuple:
    """Execute one statement in its own committed transaction and return its RETURNING row."""
    with db.engine.begin() as connection:
        row = connection.execute(statement).one()
        if random.random() < CLEANUP_CHANCE:
            connection.execute(delete(_table).where(_table.c.expires_at < time.time()))
    return tuple(row)


def check_and_hit(key: str, limit: int, window_seconds: float) -> RateLimitResult:
    """Count a hit on `key` and say whether it is within `limit` hits per fixed window."""
    now = time.time()
    t = _table
    stmt = _insert().values(key=key[:200], hits=1, reset_at=now + window_seconds, blocked_until=0.0, penalty=0.0,
                            last_token="", expires_at=now + window_seconds)
    ended = t.c.reset_at <= now
    stmt = stmt.on_conflict_do_update(
        index_elements=[t.c.key],
        set_={
            "hits": case((ended, 1), else_=t.c.hits + 1),
            "reset_at": case((ended, now + window_seconds), else_=t.c.reset_at),
            "expires_at": case((ended, now + window_seconds), else_=t.c.reset_at),
        },
    ).returning(t.c.hits, t.c.reset_at)
    hits, reset_at = _run(stmt)
    if hits <= limit:
        return RateLimitResult(True, 0, hits)
    return RateLimitResult(False, max(1, math.ceil(reset_at - now)), hits)


def hit_with_backoff(key: str, free: int, base_seconds: float, max_seconds: float,
                     forget_seconds: float) -> RateLimitResult:
    """Count a hit on `key`: the first `free` pass, then each allowed hit blocks the key twice as long as the last.

    A hit that arrives while the key is blocked is refused and changes nothing but the forget
    time. After `forget_seconds` with neither hits nor a block, the key starts over.
    """
    now, token = time.time(), secrets.token_hex(16)
    t = _table
    first_penalty = base_seconds if free <= 1 else 0.0
    stmt = _insert().values(key=key[:200], hits=1, reset_at=now + forget_seconds,
                            blocked_until=now + first_penalty if first_penalty else 0.0, penalty=first_penalty,
                            last_token=token, expires_at=now + max(forget_seconds, first_penalty))
    stale = and_(t.c.reset_at <= now, t.c.blocked_until <= now)
    blocked = t.c.blocked_until > now
    reaches_limit = t.c.hits + 1 >= free
    doubled = case((t.c.penalty <= 0, base_seconds), (t.c.penalty * 2 > max_seconds, max_seconds),
                   else_=t.c.penalty * 2)
    new_penalty = case((stale, first_penalty), (blocked, t.c.penalty), (reaches_limit, doubled), else_=0.0)
    new_block = case((stale, now + first_penalty if first_penalty else 0.0), (blocked, t.c.blocked_until),
                     (reaches_limit, now + doubled), else_=0.0)
    stmt = stmt.on_conflict_do_update(
        index_elements=[t.c.key],
        set_={
            "hits": case((stale, 1), (blocked, t.c.hits), else_=t.c.hits + 1),
            "penalty": new_penalty,
            "blocked_until": new_block,
            "reset_at": now + forget_seconds,
            "last_token": case((blocked, t.c.last_token), else_=token),
            "expires_at": now + forget_seconds + max_seconds,
        },
    ).returning(t.c.hits, t.c.blocked_until, t.c.last_token)
    hits, blocked_until, last_token = _run(stmt)
    if last_token == token:
        return RateLimitResult(True, 0, hits)
    return RateLimitResult(False, max(1, math.ceil(blocked_until - now)), hits)


def peek(key: str, limit: int) -> RateLimitResult:
    """Read a fixed-window key without counting a hit: is it already over `limit`? (For a check before a lookup.)"""
    now = time.time()
    row = db.session.execute(select(_table.c.hits, _table.c.reset_at).where(_table.c.key == key[:200])).first()
    if row is None or row.reset_at <= now or row.hits < limit:
        return RateLimitResult(True, 0, 0 if row is None or row.reset_at <= now else row.hits)
    return RateLimitResult(False, max(1, math.ceil(row.reset_at - now)), row.hits)


def refund(key: str) -> None:
    """Take back one hit on `key` (for an attempt that turned out not to count, such as a right password)."""
    with db.engine.begin() as connection:
        connection.execute(update(_table).where(_table.c.key == key[:200], _table.c.hits > 0)
                           .values(hits=_table.c.hits - 1))


def reset(key: str) -> None:
    """Forget `key` entirely (its hits and any block)."""
    with db.engine.begin() as connection:
        connection.execute(delete(_table).where(_table.c.key == key[:200]))


def purge_expired() -> int:
    """Delete every row whose window and block are over; return how many."""
    with db.engine.begin() as connection:
        return connection.execute(delete(_table).where(_table.c.expires_at < time.time())).rowcount


def wait_words(seconds: int) -> str:
    """Return a wait as '40 seconds' or 'about 3 minutes'."""
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"about {minutes} minutes"
    hours = round(minutes / 60)
    return f"about {hours} hour{'s' if hours != 1 else ''}"


def too_many_requests(result: RateLimitResult, message: str | None = None):
    """Answer 429 with a Retry-After header and a page or JSON saying when to try again."""
    wait = max(1, result.retry_after)
    text = message or "Too many tries in a short time."
    advice = f"{text} Try again in {wait_words(wait)}."
    wants_json = (request.path.startswith("/api/") or request.is_json
                  or request.accept_mimetypes.best == "application/json")
    if wants_json:
        response = jsonify(error=advice, retry_after=wait)
    else:
        response = current_app.make_response(
            render_template("errors/error.html", code=429, title="Too many tries", advice=advice))
    response.status_code = 429
    response.headers["Retry-After"] = str(wait)
    return response


def first_refusal(checks: Iterable[tuple[str, int, float]]) -> RateLimitResult | None:
    """Hit every (key, limit, window) and return the refusal with the longest wait, or None when all pass."""
    refusals = [r for r in (check_and_hit(key, limit, window) for key, limit, window in checks) if not r.allowed]
    return max(refusals, key=lambda r: r.retry_after, default=None)


def rate_limit(scope: str, limit: int | Callable[[], int], window_seconds: float,
               keys: Callable[[], Iterable[str]], message: str | None = None, methods: tuple[str, ...] = ("POST",)):
    """Decorate a view: each request (of the given methods) hits `scope:<key>` for every key; over the limit gives 429.

    `limit` may be a callable (read from the config at request time); `keys` returns the
    request's keys, for example the user's id and the client address.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if request.method in methods:
                count = limit() if callable(limit) else limit
                refused = first_refusal((f"{scope}:{key}", count, window_seconds) for key in keys())
                if refused is not None:
                    return too_many_requests(refused, message)
            return view(*args, **kwargs)

        return wrapped

    return decorator
