"""The database-backed rate limiter: fixed windows, backoff, refunds, clean-up, and threads racing for the last slot."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Blueprint
from sqlalchemy import func, select, update

from course.extensions import db
from course.models.ratelimit import RateLimit
from course.ratelimit import (
    check_and_hit,
    hit_with_backoff,
    purge_expired,
    rate_limit,
    refund,
    reset,
    wait_words,
)


def _shift(app, key: str, seconds: float) -> None:
    """Move a key's clock back, as if `seconds` had passed (the limiter reads times from its row)."""
    with app.app_context():
        db.session.execute(update(RateLimit).where(RateLimit.key == key).values(
            reset_at=RateLimit.reset_at - seconds, blocked_until=RateLimit.blocked_until - seconds,
            expires_at=RateLimit.expires_at - seconds))
        db.session.commit()


def test_fixed_window_allows_the_limit_then_refuses_until_it_ends(app):
    with app.app_context():
        results = [check_and_hit("t:window", 3, 60) for _ in range(5)]
    assert [r.allowed for r in results] == [True, True, True, False, False]
    assert 1 <= results[-1].retry_after <= 60
    _shift(app, "t:window", 61)
    with app.app_context():
        assert check_and_hit("t:window", 3, 60).allowed  # a new window starts from one hit


def test_keys_are_independent(app):
    with app.app_context():
        assert not [r for r in (check_and_hit("t:a", 1, 60), check_and_hit("t:b", 1, 60)) if not r.allowed]
        assert not check_and_hit("t:a", 1, 60).allowed


def test_refund_gives_a_hit_back_and_reset_forgets(app):
    with app.app_context():
        check_and_hit("t:refund", 1, 60)
        refund("t:refund")
        assert check_and_hit("t:refund", 1, 60).allowed
        assert not check_and_hit("t:refund", 1, 60).allowed
        reset("t:refund")
        assert check_and_hit("t:refund", 1, 60).allowed


def test_backoff_doubles_each_block(app):
    with app.app_context():
        allowed = [hit_with_backoff("t:back", 3, 10, 100, 3600).allowed for _ in range(5)]
        assert allowed == [True, True, True, False, False]  # the third hit starts a 10 s block
        blocked = hit_with_backoff("t:back", 3, 10, 100, 3600)
        assert 1 <= blocked.retry_after <= 10
    waits = []
    for _ in range(5):
        _shift(app, "t:back", 200)  # wait out the block, but not the 3600 s memory of failures
        with app.app_context():
            assert hit_with_backoff("t:back", 3, 10, 100, 3600).allowed
            waits.append(hit_with_backoff("t:back", 3, 10, 100, 3600).retry_after)
    assert waits[0] > 10 and waits[1] > 20 and waits[2] > 40  # 20, 40, 80 ...
    assert max(waits) <= 100  # ... capped at the maximum


def test_backoff_is_forgotten_after_a_quiet_spell(app):
    with app.app_context():
        for _ in range(4):
            hit_with_backoff("t:quiet", 3, 10, 100, 600)
    _shift(app, "t:quiet", 10_000)
    with app.app_context():
        assert hit_with_backoff("t:quiet", 3, 10, 100, 600).hits == 1


def test_purge_deletes_only_expired_rows(app):
    with app.app_context():
        check_and_hit("t:old", 5, 60)
        check_and_hit("t:new", 5, 60)
    _shift(app, "t:old", 120)
    with app.app_context():
        assert purge_expired() == 1
        keys = set(db.session.scalars(select(RateLimit.key)))
    assert keys == {"t:new"}


def _race(app, attempt, threads: int = 40) -> list:
    """Run `attempt` from many threads released at the same moment; return the results."""
    barrier = threading.Barrier(threads)

    def one(_):
        with app.app_context():
            barrier.wait()
            return attempt()

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(threads)))


def test_forty_threads_racing_get_exactly_the_limit(app):
    results = _race(app, lambda: check_and_hit("t:race", 5, 60))
    assert sum(r.allowed for r in results) == 5
    with app.app_context():
        assert db.session.scalar(select(RateLimit.hits).where(RateLimit.key == "t:race")) == 40


def test_forty_threads_racing_backoff_get_at_most_the_free_hits(app):
    results = _race(app, lambda: hit_with_backoff("t:race-back", 5, 30, 3600, 3600))
    assert sum(r.allowed for r in results) == 5
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RateLimit)) == 1


@pytest.mark.parametrize("seconds, words", [(1, "1 second"), (45, "45 seconds"), (600, "about 10 minutes"),
                                            (7200, "about 2 hours")])
def test_wait_words(seconds, words):
    assert wait_words(seconds) == words


@pytest.fixture
def limited_app(app):
    bp = Blueprint("limited", __name__)

    @bp.route("/limited", methods=["GET", "POST"])
    @rate_limit("limited", 2, 60, keys=lambda: ["everyone"], message="Slow down.")
    def limited():
        return "done"

    app.register_blueprint(bp)
    return app


def test_decorator_answers_429_with_retry_after_as_page_or_json(limited_app):
    client = limited_app.test_client()
    assert client.get("/limited").status_code == 200  # only POST is counted
    assert [client.post("/limited").status_code for _ in range(2)] == [200, 200]
    page = client.post("/limited")
    assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
    assert b"Slow down. Try again in" in page.data
    as_json = client.post("/limited", json={})
    assert as_json.status_code == 429
    assert as_json.get_json()["retry_after"] >= 1 and "Try again in" in as_json.get_json()["error"]


def test_a_hit_survives_the_request_rolling_back(app):
    with app.app_context():
        check_and_hit("t:kept", 1, 60)
        db.session.rollback()
        assert not check_and_hit("t:kept", 1, 60).allowed
