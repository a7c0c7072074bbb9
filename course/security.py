"""Access rules: the one role decorator, ownership checks and safe redirects."""
from __future__ import annotations

import re
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, request, url_for
from flask_login import current_user, login_required


def roles_required(*roles: str):
    """Allow the view only to signed-in users holding one of the roles (admins always pass)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_safe_next(target: str | None) -> bool:
    """Return whether a `next` value is a plain relative path on this site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(default_endpoint: str = "curriculum.home") -> str:
    """Return the request's `next` if it is safe, otherwise the default page."""
    target = request.values.get("next")
    return target if is_safe_next(target) else url_for(default_endpoint)


def client_ip() -> str:
    """Return the caller's address as the app sees it (set ProxyFix behind a proxy)."""
    return (request.remote_addr or "")[:64]


_JSON_MARKS = re.compile(rb'["\[\]{}]')
_JSON_STRING_REST = re.compile(rb'(?:[^"\\]++|\\.)*+"', re.DOTALL)


def json_nesting_exceeds(raw: bytes, limit: int) -> bool:
    """Return whether a JSON text nests arrays and objects more than `limit` deep, without parsing it.

    One linear pass that skips string contents (so brackets inside strings do not count); the
    parser is never handed a body deep enough to exhaust the interpreter's stack.
    """
    depth, i, end = 0, 0, len(raw)
    while i < end:
        found = _JSON_MARKS.search(raw, i)
        if found is None:
            return False
        mark, i = raw[found.start()], found.end()
        if mark == 0x22:  # a string: jump past its closing quote (one anchored, possessive match: linear time)
            rest = _JSON_STRING_REST.match(raw, i)
            if rest is None:
                return False  # unterminated: the parser refuses it
            i = rest.end()
        elif mark in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False
