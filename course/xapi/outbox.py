"""The outbox: requests insert statements; senders claim them atomically, post them and record the outcome."""
from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
from functools import partial

from flask import current_app

from ..database import utcnow
from ..extensions import db
from ..models.xapi import PENDING, XapiStatement
from ..outbox_sender import DeliveryError, FlushReport, Outbox, worker_name
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


OUTBOX = Outbox(XapiStatement, "XAPI", SETTINGS)
setting = OUTBOX.setting


def enqueue(statement: dict, user, verb: str, cohort_id: int | None) -> XapiStatement:
    """Add a statement to the outbox in the current transaction (the view that sent the milestone commits it)."""
    row = XapiStatement(statement_id=statement["id"], user_id=getattr(user, "id", None), cohort_id=cohort_id,
                        verb=verb, statement=statement, status=PENDING, attempts=0, next_attempt_at=utcnow())
    db.session.add(row)
    db.session.info["xapi_enqueued"] = True
    return row


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


def flush(worker: str | None = None, ignore_schedule: bool = False, limit: int | None = None) -> FlushReport:
    """Claim due statements and post each to the LRS; needs XAPI_LRS_URL and an app context."""
    report = FlushReport()
    if not current_app.config.get("XAPI_LRS_URL"):
        return report
    worker = worker or worker_name()
    for row in OUTBOX.claim_due(worker, limit=limit, ignore_schedule=ignore_schedule):
        OUTBOX.deliver(row, worker, partial(post_statement, row.statement), report)
    return report
