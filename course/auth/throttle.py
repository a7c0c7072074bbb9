"""Sign-in throttling that stops attackers, not users.

- Per account-and-address pair, with exponential backoff: LOGIN_MAX_FAILURES tries, then each
  further failure blocks that pair twice as long (LOGIN_BACKOFF_SECONDS up to
  LOGIN_BACKOFF_MAX_SECONDS). Nobody elsewhere can lock the user out: their own address is a
  different pair.
- Per address, a cap on failures for password spraying (LOGIN_ADDRESS_MAX_FAILURES per
  LOGIN_ADDRESS_WINDOW_SECONDS), high enough for a classroom that shares one address.
Each attempt is counted before the password is checked, in one atomic step (course/ratelimit.py),
and a right password takes its count back, so parallel guesses cannot slip past the limit while a
correct password from an address with no recent failures always goes through.
"""
from __future__ import annotations

import hashlib

from flask import current_app

from ..ratelimit import RateLimitResult, check_and_hit, hit_with_backoff, refund, reset
from .services import normalise_email


def _keys(email: str, ip: str) -> tuple[str, str]:
    """Return the pair key and the address key (the email is hashed: keys are short and hold no address)."""
    digest = hashlib.sha256(normalise_email(email).encode("utf-8")).hexdigest()[:32]
    return f"login:pair:{digest}:{ip}", f"login:addr:{ip}"


def begin_attempt(email: str, ip: str) -> RateLimitResult | None:
    """Count a sign-in attempt before its password is checked; return the refusal, or None to go ahead."""
    config = current_app.config
    pair_key, address_key = _keys(email, ip)
    address = check_and_hit(address_key, config["LOGIN_ADDRESS_MAX_FAILURES"], config["LOGIN_ADDRESS_WINDOW_SECONDS"])
    if not address.allowed:
        return address
    pair = hit_with_backoff(pair_key, config["LOGIN_MAX_FAILURES"], config["LOGIN_BACKOFF_SECONDS"],
                            config["LOGIN_BACKOFF_MAX_SECONDS"], config["LOGIN_FORGET_SECONDS"])
    if not pair.allowed:
        refund(address_key)  # the password was never tried
        return pair
    return None


def finish_attempt(email: str, ip: str, succeeded: bool) -> None:
    """After the password check: a right password clears the pair's failures and takes back the address's count."""
    if succeeded:
        pair_key, address_key = _keys(email, ip)
        reset(pair_key)
        refund(address_key)
