"""The LRS sender against a small local endpoint: retries with backoff, atomic claims, never blocking a request."""
from __future__ import annotations

import base64
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select, update

from course import events
from course.database import utcnow
from course.extensions import db
from course.models import User
from course.models.xapi import XapiStatement
from course.xapi import outbox
from course.xapi.sender import SENDERS
from tests.conftest import PASSWORD, Factory, make_app


class FakeLRS:
    """An HTTP endpoint in a thread that answers with scripted status codes, optionally slowly."""

    def __init__(self, codes=(200,), delay: float = 0.0):
        self.codes = list(codes)
        self.delay = delay
        self.requests: list[dict] = []
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                lrs.requests.append({"path": self.path, "body": body,
                                     "headers": {k.lower(): v for k, v in self.headers.items()}})
                time.sleep(lrs.delay)
                code = lrs.codes.pop(0) if len(lrs.codes) > 1 else lrs.codes[0]
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps([body.get("id")] if code == 200 else {"error": code}).encode())

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/xapi/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def lrs_factory():
    """Start fake LRS endpoints and shut them down after the test."""
    started = []

    def start(codes=(200,), delay=0.0):
        lrs = FakeLRS(codes, delay)
        started.append(lrs)
        return lrs

    yield start
    for lrs in started:
        lrs.close()


@pytest.fixture
def lrs_app(tmp_path):
    """Return a function making an app that sends to a given LRS URL with short, test-sized delays."""
    apps = []

    def make(url, **overrides):
        config = dict(XAPI_LRS_URL=url, XAPI_LRS_USERNAME="lrs-key", XAPI_LRS_PASSWORD="lrs-secret",
                      XAPI_BACKOFF_SECONDS=0.2, XAPI_POLL_SECONDS=0.05, XAPI_TIMEOUT_SECONDS=5)
        config.update(overrides)
        app = make_app(tmp_path, **config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        SENDERS.stop_sender(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _learner(app) -> int:
    return Factory(app).user("learner", cohort_id=Factory(app).cohort(code="SEND01"))


def _queue(app, user_id, module_id="mapping") -> int:
    """Queue one 'completed module' statement and return its outbox row id."""
    with app.app_context():
        events.module_completed.send(app, user=db.session.get(User, user_id), module_id=module_id)
        db.session.commit()
        return db.session.scalars(select(XapiStatement.id).order_by(XapiStatement.id.desc())).first()


def _row(app, row_id) -> XapiStatement:
    with app.app_context():
        row = db.session.get(XapiStatement, row_id)
        db.session.expunge(row)
        return row


def test_fails_twice_then_succeeds_with_growing_backoff(lrs_factory, lrs_app):
    lrs = lrs_factory(codes=(500, 503, 200))
    app = lrs_app(lrs.url)
    row_id = _queue(app, _learner(app))

    with app.app_context():
        assert outbox.flush().retrying == 1
    first = _row(app, row_id)
    assert (first.status, first.attempts, first.claimed_by) == ("pending", 1, None)
    assert "HTTP 500" in first.last_error
    first_wait = (first.next_attempt_at - utcnow()).total_seconds()
    assert 0 < first_wait <= 0.2
    with app.app_context():
        assert outbox.flush().total == 0  # not due yet: the backoff is respected
    time.sleep(0.25)
    with app.app_context():
        assert outbox.flush().retrying == 1
    second = _row(app, row_id)
    assert second.attempts == 2 and "HTTP 503" in second.last_error
    assert 0.15 < (second.next_attempt_at - utcnow()).total_seconds() <= 0.4  # doubled
    time.sleep(0.45)
    with app.app_context():
        assert outbox.flush().sent == 1
    done = _row(app, row_id)
    assert (done.status, done.attempts, done.last_error) == ("sent", 3, "")
    assert done.sent_at is not None

    assert len(lrs.requests) == 3
    assert {r["body"]["id"] for r in lrs.requests} == {done.statement_id}
    request = lrs.requests[-1]
    assert request["path"] == "/xapi/statements"
    assert request["headers"]["x-experience-api-version"] == "1.0.3"
    assert request["headers"]["authorization"] == "Basic " + base64.b64encode(b"lrs-key:lrs-secret").decode()


def test_background_thread_retries_until_sent(lrs_factory, lrs_app):
    lrs = lrs_factory(codes=(500, 500, 200))
    app = lrs_app(lrs.url, XAPI_BACKOFF_SECONDS=0.05)
    row_id = _queue(app, _learner(app))
    SENDERS.start_sender(app)
    deadline = time.monotonic() + 10
    while _row(app, row_id).status != "sent" and time.monotonic() < deadline:
        time.sleep(0.05)
    row = _row(app, row_id)
    assert (row.status, row.attempts) == ("sent", 3)
    assert len(lrs.requests) == 3


@pytest.mark.parametrize("endpoint", ["slow", "down"])
def test_a_learner_request_never_waits_for_the_lrs(lrs_factory, lrs_app, endpoint):
    if endpoint == "slow":
        url = lrs_factory(codes=(200,), delay=3).url
    else:
        url = "http://127.0.0.1:9/xapi/"  # the discard port: nothing listens
    app = lrs_app(url, XAPI_SENDER=True)
    user_id = _learner(app)
    client = app.test_client()
    client.post("/auth/login", data={"email": Factory(app).email(user_id), "password": PASSWORD})
    SENDERS.start_sender(app)
    time.sleep(0.1)  # let the sender settle into its idle wait
    started = time.monotonic()
    response = client.post("/modules/welcome/complete")  # a module with no check: marking it completes it
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 1.5, f"the request took {elapsed:.2f}s: it must not wait for the LRS"
    with app.app_context():
        rows = db.session.scalars(select(XapiStatement)).all()
        assert [(r.verb, r.status) for r in rows] == [("completed", "pending")]


def test_claims_never_overlap_between_workers(lrs_factory, lrs_app):
    app = lrs_app(lrs_factory().url)
    user_id = _learner(app)
    for index in range(12):
        _queue(app, user_id, module_id=f"m{index}")
    claimed: dict[str, list[int]] = {}

    def claim(worker):
        with app.app_context():
            claimed[worker] = [row.id for row in outbox.OUTBOX.claim_due(worker, limit=12)]

    threads = [threading.Thread(target=claim, args=(f"worker-{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [row_id for ids in claimed.values() for row_id in ids]
    assert len(everything) == len(set(everything)) == 12
    with app.app_context():
        assert outbox.OUTBOX.claim_due("late-worker") == []


def test_a_stale_claim_is_taken_over(lrs_factory, lrs_app):
    lrs = lrs_factory()
    app = lrs_app(lrs.url, XAPI_CLAIM_STALE_SECONDS=60)
    row_id = _queue(app, _learner(app))
    with app.app_context():
        assert [r.id for r in outbox.OUTBOX.claim_due("crashed-worker")] == [row_id]
        assert outbox.flush().total == 0  # still held by the crashed worker
        db.session.execute(update(XapiStatement).values(claimed_at=utcnow() - timedelta(minutes=5)))
        db.session.commit()
        assert outbox.flush().sent == 1
    assert _row(app, row_id).status == "sent" and len(lrs.requests) == 1


def test_a_rejected_statement_is_kept_as_failed_and_can_be_requeued(lrs_factory, lrs_app):
    lrs = lrs_factory(codes=(400, 200))
    app = lrs_app(lrs.url)
    row_id = _queue(app, _learner(app))
    with app.app_context():
        assert outbox.flush().failed == 1
    failed = _row(app, row_id)
    assert (failed.status, failed.attempts) == ("failed", 1) and "HTTP 400" in failed.last_error
    result = app.test_cli_runner().invoke(args=["xapi", "send", "--retry-failed"])
    assert result.exit_code == 0, result.output
    assert "Re-queued 1 failed" in result.output and "Sent 1" in result.output
    assert _row(app, row_id).status == "sent"


def test_gives_up_after_the_attempt_limit(lrs_factory, lrs_app):
    lrs = lrs_factory(codes=(500,))
    app = lrs_app(lrs.url, XAPI_MAX_ATTEMPTS=2, XAPI_BACKOFF_SECONDS=0.01)
    row_id = _queue(app, _learner(app))
    with app.app_context():
        outbox.flush()
        time.sleep(0.03)
        outbox.flush()
    row = _row(app, row_id)
    assert (row.status, row.attempts) == ("failed", 2) and row.statement["id"] == row.statement_id


def test_send_command_flushes_once(lrs_factory, lrs_app):
    lrs = lrs_factory()
    app = lrs_app(lrs.url)
    user_id = _learner(app)
    for module_id in ("mapping", "icpm", "key-terms"):
        _queue(app, user_id, module_id)
    result = app.test_cli_runner().invoke(args=["xapi", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 3, will retry 0, gave up on 0" in result.output and "0 pending, 3 sent" in result.output
    assert len(lrs.requests) == 3


def test_send_command_needs_an_lrs(app):
    result = app.test_cli_runner().invoke(args=["xapi", "send"])
    assert result.exit_code != 0 and "XAPI_LRS_URL is not set" in result.output


def test_sender_runs_only_when_an_lrs_is_set(lrs_app, app):
    assert not SENDERS.sender_wanted(app)  # no LRS configured
    assert not SENDERS.sender_wanted(lrs_app("http://127.0.0.1:9/"))  # tests start it themselves
    assert SENDERS.sender_wanted(lrs_app("http://127.0.0.1:9/", XAPI_SENDER=True))
