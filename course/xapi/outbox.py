"""The outbox: requests insert statements; senders claim them atomically, post them and record the outcome."""
from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from ..database import utcnow
from ..extensions import db
from ..models.xapi import FAILED, PENDING, SENT, XapiStatement
from ..outbox_sender import worker_name
from .statements import XAPI_VERSION

log = logging.getLogger(__name__)

SETTINGS = {
    "XAPI_POLL_SECONDS": 5.0,  # how often an idle sender looks for due statements
    "XAPI_BACKOFF_SECONDS": 30.0,  # first retry delay; doubles on each failure
    "XAPI_BACKOFF_MAX_SECONDS": 3600.0,
    "XAPI_MAX_ATTEMPTS": 12,  # then the statement is kept as failed until `xapi send --retry-failed`
    "XAPI_CLAIM_STALE_SECONDS": 300.0,  # a claim older than this belongs to a sender that died
    "XAPI_TIMEOUT_SECONDS": 10.0,
    "XAPI_BATCH_SIZE": 25,
}


def setting(name: str):
    """Return an outbox setting from the app config, or its default."""
    return current_app.config.get(name, SETTINGS[name])


def enqueue(statement: dict, user, verb: str, cohort_id: int | None) -> XapiStatement:
    """Add a statement to the outbox in the current transaction (the view that sent the milestone commits it)."""
    row = XapiStatement(statement_id=statement["id"], user_id=getattr(user, "id", None), cohort_id=cohort_id,
                        verb=verb, statement=statement, status=PENDING, attempts=0, next_attempt_at=utcnow())
    db.session.add(row)
    db.session.info["xapi_enqueued"] = True
    return row


def claim_due(worker: str, limit: int | None = None, ignore_schedule: bool = False) -> list[XapiStatement]:
    """Claim up to `limit` due pending statements for this worker; each row is taken by one worker only."""
    now = utcnow()
    stale = now - timedelta(seconds=setting("XAPI_CLAIM_STALE_SECONDS"))
    unclaimed = or_(XapiStatement.claimed_at.is_(None), XapiStatement.claimed_at < stale)
    query = select(XapiStatement.id).where(XapiStatement.status == PENDING, unclaimed)
    if not ignore_schedule:
        query = query.where(XapiStatement.next_attempt_at <= now)
    ids = list(db.session.scalars(query.order_by(XapiStatement.id).limit(limit or setting("XAPI_BATCH_SIZE"))))
    claimed = []
    for row_id in ids:
        # The conditions are repeated in the UPDATE: a row another worker claimed meanwhile matches nothing.
        result = db.session.execute(
            update(XapiStatement)
            .where(XapiStatement.id == row_id, XapiStatement.status == PENDING, unclaimed)
            .values(claimed_at=now, claimed_by=worker)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(row_id)
    db.session.commit()
    if not claimed:
        return []
    return list(db.session.scalars(
        select(XapiStatement).where(XapiStatement.id.in_(claimed), XapiStatement.claimed_by == worker)
        .order_by(XapiStatement.id)
    ))


@dataclass
class DeliveryError(Exception):
    """The LRS did not store the statement; `permanent` means retrying the same statement cannot help."""

    message: str
    permanent: bool = False

    def __str__(self) -> str:
        return self.message


def statements_url(base: str) -> str:
    """Return the LRS statements resource for a configured endpoint."""
    base = base.rstrip("/")
    return base if base.endswith("/statements") else base + "/statements"


def post_statement(statement: dict) -> None:
    """Send one statement to the LRS with basic auth; raise DeliveryError when it is not stored."""
    config = current_app.config
    body = json.dumps(statement).encode("utf-8")
    req = urllib.request.Request(statements_url(config["XAPI_LRS_URL"]), data=body, method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("X-Experience-API-Version", XAPI_VERSION)
    if config.get("XAPI_LRS_USERNAME") is not None:
        pair = f"{config['XAPI_LRS_USERNAME']}:{config.get('XAPI_LRS_PASSWORD') or ''}".encode()
        req.add_header("Authorization", "Basic " + base64.b64encode(pair).decode("ascii"))
    try:
        with urllib.request.urlopen(req, timeout=setting("XAPI_TIMEOUT_SECONDS")) as resp:
            resp.read()
    except urllib.error.HTTPError as exc:
        # 400 and 409 mean the LRS rejected this statement itself; other codes may clear up later.
        raise DeliveryError(f"LRS answered HTTP {exc.code} {exc.reason}", permanent=exc.code in (400, 409)) from exc
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise DeliveryError(f"could not reach the LRS: {getattr(exc, 'reason', exc)}") from exc


def backoff(attempts: int) -> timedelta:
    """Return the wait before the next try: the base delay doubled for each failure so far, capped."""
    seconds = setting("XAPI_BACKOFF_SECONDS") * (2 ** max(0, attempts - 1))
    return timedelta(seconds=min(seconds, setting("XAPI_BACKOFF_MAX_SECONDS")))


def record_outcome(row: XapiStatement, worker: str, error: DeliveryError | None) -> None:
    """Store a delivery's outcome and release the claim (only if this worker still holds it)."""
    now = utcnow()
    attempts = row.attempts + 1
    values = {"attempts": attempts, "claimed_at": None, "claimed_by": None}
    if error is None:
        values.update(status=SENT, sent_at=now, last_error="")
    else:
        gave_up = error.permanent or attempts >= setting("XAPI_MAX_ATTEMPTS")
        values.update(status=FAILED if gave_up else PENDING, last_error=str(error)[:2000],
                      next_attempt_at=now + backoff(attempts))
    db.session.execute(
        update(XapiStatement).where(XapiStatement.id == row.id, XapiStatement.claimed_by == worker)
        .values(**values).execution_options(synchronize_session=False)
    )
    db.session.commit()


@dataclass
class FlushReport:
    """What one pass over the outbox did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retrying + self.failed


def flush(worker: str | None = None, ignore_schedule: bool = False, limit: int | None = None) -> FlushReport:
    """Claim due statements and post each to the LRS; needs XAPI_LRS_URL and an app context."""
    report = FlushReport()
    if not current_app.config.get("XAPI_LRS_URL"):
        return report
    worker = worker or worker_name()
    rows = claim_due(worker, limit=limit, ignore_schedule=ignore_schedule)
    for row in rows:
        statement, row_id = row.statement, row.id
        db.session.expire_all()
        db.session.rollback()  # hold no transaction (or SQLite lock) while waiting on the network
        error = None
        try:
            post_statement(statement)
        except DeliveryError as exc:
            error = exc
        fresh = db.session.get(XapiStatement, row_id) or row
        record_outcome(fresh, worker, error)
        if error is None:
            report.sent += 1
        elif fresh.status == FAILED:
            report.failed += 1
        else:
            report.retrying += 1
    return report


def retry_failed() -> int:
    """Put failed statements back in the queue, due now; return how many."""
    result = db.session.execute(
        update(XapiStatement).where(XapiStatement.status == FAILED)
        .values(status=PENDING, attempts=0, next_attempt_at=utcnow(), claimed_at=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def counts() -> dict[str, int]:
    """Return how many statements are pending, sent and failed."""
    from sqlalchemy import func

    rows = db.session.execute(select(XapiStatement.status, func.count()).group_by(XapiStatement.status))
    found = {PENDING: 0, SENT: 0, FAILED: 0}
    found.update({status: n for status, n in rows})
    return found
