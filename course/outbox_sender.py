"""What both database outboxes share (mail and xAPI): claiming due rows, recording each try with its backoff,
re-queueing and counting (`Outbox`), and the background sender: one daemon thread per process and outbox hands
due rows on, woken after a commit that queued some, and polling otherwise. The rows, their claims and retries
live in the database; only the thread itself belongs to the process."""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event, func, or_, select, update
from sqlalchemy.orm import Session

from .database import utcnow
from .extensions import db
from .models.outbox import FAILED, PENDING, SENT

log = logging.getLogger(__name__)


def worker_name() -> str:
    """Return a name for this sender: host, process and a random part, so claims never collide."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:120]


@dataclass
class DeliveryError(Exception):
    """The receiving server did not take the row; `permanent` means retrying the same row cannot help."""

    message: str
    permanent: bool = False

    def __str__(self) -> str:
        return self.message


@dataclass
class FlushReport:
    """What one pass over an outbox did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0  # mail composed at send time that had nothing to send

    @property
    def total(self) -> int:
        """Return how many rows were tried."""
        return self.sent + self.retrying + self.failed + self.skipped


def drain(flush: Callable[..., FlushReport], batch: int, ignore_schedule: bool = False) -> FlushReport:
    """Run `flush` batch by batch until a short batch shows nothing more was due; return the totals."""
    totals = FlushReport()
    for _ in range(10_000):  # a bound, so a queue that refills as fast as it drains cannot hold the command
        report = flush(ignore_schedule=ignore_schedule, limit=batch)
        totals.sent += report.sent
        totals.retrying += report.retrying
        totals.failed += report.failed
        totals.skipped += report.skipped
        if report.total < batch:
            break
    return totals


@dataclass(frozen=True)
class Outbox:
    """One outbox table: rows with status, attempts, next_attempt_at, last_error, claimed_at/by and sent_at,
    and settings named `<prefix>_BATCH_SIZE`, `_CLAIM_STALE_SECONDS`, `_BACKOFF_SECONDS`,
    `_BACKOFF_MAX_SECONDS` and `_MAX_ATTEMPTS`, read from the app config over `defaults`."""

    model: Any
    prefix: str
    defaults: dict[str, Any]
    statuses: tuple[str, ...] = (PENDING, SENT, FAILED)
    sent_values: dict[str, Any] = field(default_factory=dict)  # also written when a row is sent

    def setting(self, name: str):
        """Return an outbox setting from the app config, or its default."""
        return current_app.config.get(name, self.defaults[name])

    def _setting(self, suffix: str):
        """Return this outbox's `<prefix>_<suffix>` setting."""
        return self.setting(f"{self.prefix}_{suffix}")

    def claim_due(self, worker: str, limit: int | None = None, ignore_schedule: bool = False) -> list:
        """Claim up to `limit` due pending rows for this worker; each row is taken by one worker only."""
        model, now = self.model, utcnow()
        stale = now - timedelta(seconds=self._setting("CLAIM_STALE_SECONDS"))
        unclaimed = or_(model.claimed_at.is_(None), model.claimed_at < stale)
        query = select(model.id).where(model.status == PENDING, unclaimed)
        if not ignore_schedule:
            query = query.where(model.next_attempt_at <= now)
        ids = list(db.session.scalars(query.order_by(model.id).limit(limit or self._setting("BATCH_SIZE"))))
        claimed = []
        for row_id in ids:
            # The conditions are repeated in the UPDATE: a row another worker claimed meanwhile matches nothing.
            result = db.session.execute(
                update(model).where(model.id == row_id, model.status == PENDING, unclaimed)
                .values(claimed_at=now, claimed_by=worker).execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                claimed.append(row_id)
        db.session.commit()
        if not claimed:
            return []
        return list(db.session.scalars(
            select(model).where(model.id.in_(claimed), model.claimed_by == worker).order_by(model.id)
        ))

    def backoff(self, attempts: int) -> timedelta:
        """Return the wait before the next try: the base delay doubled for each failure so far, capped."""
        seconds = self._setting("BACKOFF_SECONDS") * (2 ** max(0, attempts - 1))
        return timedelta(seconds=min(seconds, self._setting("BACKOFF_MAX_SECONDS")))

    def record_outcome(self, row, worker: str, error: DeliveryError | None) -> None:
        """Store a delivery's outcome and release the claim (only if this worker still holds it)."""
        now = utcnow()
        attempts = row.attempts + 1
        values = {"attempts": attempts, "claimed_at": None, "claimed_by": None}
        if error is None:
            values.update(status=SENT, sent_at=now, last_error="", **self.sent_values)
        else:
            gave_up = error.permanent or attempts >= self._setting("MAX_ATTEMPTS")
            values.update(status=FAILED if gave_up else PENDING, last_error=str(error)[:2000],
                          next_attempt_at=now + self.backoff(attempts))
        db.session.execute(
            update(self.model).where(self.model.id == row.id, self.model.claimed_by == worker)
            .values(**values).execution_options(synchronize_session=False)
        )
        db.session.commit()

    def deliver(self, row, worker: str, send: Callable[[], None], report: FlushReport) -> DeliveryError | None:
        """Run `send()` for a claimed row outside any transaction, record the outcome and count it."""
        row_id = row.id
        db.session.expire_all()
        db.session.rollback()  # hold no transaction (or SQLite lock) while waiting on the network
        error = None
        try:
            send()
        except DeliveryError as exc:
            error = exc
        fresh = db.session.get(self.model, row_id) or row
        self.record_outcome(fresh, worker, error)
        if error is None:
            report.sent += 1
        elif fresh.status == FAILED:
            report.failed += 1
        else:
            report.retrying += 1
        return error

    def retry_failed(self) -> int:
        """Put failed rows back in the queue, due now; return how many."""
        result = db.session.execute(
            update(self.model).where(self.model.status == FAILED)
            .values(status=PENDING, attempts=0, next_attempt_at=utcnow(), claimed_at=None, claimed_by=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return result.rowcount

    def counts(self) -> dict[str, int]:
        """Return how many rows are in each status."""
        rows = db.session.execute(select(self.model.status, func.count()).group_by(self.model.status))
        found = dict.fromkeys(self.statuses, 0)
        found.update({status: n for status, n in rows})
        return found


@dataclass(frozen=True)
class Channel:
    """What differs between outboxes: one pass, the poll interval and the settings that switch it on."""

    name: str  # the thread's name and the log's word for it
    flush: Callable[[str], int]  # one pass over the outbox for a worker; returns how many rows were tried
    poll_seconds: Callable[[], float]  # read inside an app context
    needs: str  # the config key that must be set (the server or LRS to send to)
    switch: str  # the config key that turns the background sender on or off (unset: on outside tests)
    queued_flag: str  # the session.info key a commit sets when it queued rows
    stop_timeout: float  # how long stopping waits for the row in hand


class Sender:
    """Sends due rows in a loop; a wake-up after each queued row avoids waiting for the next poll."""

    def __init__(self, app: Flask, channel: Channel):
        self.app = app
        self.channel = channel
        self.worker = worker_name()
        self.pid = os.getpid()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=channel.name, daemon=True)

    def start(self) -> Sender:
        """Start the thread."""
        self._thread.start()
        return self

    def wake(self) -> None:
        """Ask the sender to look at the outbox now."""
        self._wake.set()

    def stop(self) -> None:
        """Stop the loop and wait for the thread to finish the row in hand."""
        self._stop.set()
        self._wake.set()
        self._thread.join(self.channel.stop_timeout)

    @property
    def alive(self) -> bool:
        """Return whether the thread is running."""
        return self._thread.is_alive()

    def run_once(self) -> int:
        """Do one pass over the outbox; return how many rows were tried."""
        with self.app.app_context():
            return self.channel.flush(self.worker)

    def _run(self) -> None:
        """Loop until stopped: send what is due, then sleep until woken or the poll interval passes."""
        while not self._stop.is_set():
            tried = 0
            try:
                tried = self.run_once()
            except Exception:  # a database hiccup must not kill the sender for the life of the process
                log.exception("%s pass failed; will try again", self.channel.name)
            if tried:
                continue
            with self.app.app_context():
                poll = self.channel.poll_seconds()
            self._wake.wait(poll)
            self._wake.clear()


class Senders:
    """This process's sender per app for one outbox, started on demand (a forked worker starts its own)."""

    def __init__(self, channel: Channel):
        self.channel = channel
        self._senders: dict[int, Sender] = {}  # id(app) -> the sender of this process
        self._lock = threading.Lock()

        def wake_after_commit(session: Session) -> None:
            """Wake this process's senders once new rows are committed."""
            if session.info.pop(channel.queued_flag, False):
                for sender in list(self._senders.values()):
                    if sender.pid == os.getpid():
                        sender.wake()

        self._wake_after_commit = wake_after_commit  # one function object, so the listener is added once

    def sender_for(self, app: Flask) -> Sender | None:
        """Return the app's running sender in this process, if any."""
        sender = self._senders.get(id(app))
        return sender if sender is not None and sender.pid == os.getpid() and sender.alive else None

    def start_sender(self, app: Flask) -> Sender:
        """Start the app's sender in this process unless one runs."""
        with self._lock:
            sender = self.sender_for(app)
            if sender is None:
                sender = Sender(app, self.channel).start()
                self._senders[id(app)] = sender
            return sender

    def stop_sender(self, app: Flask) -> None:
        """Stop the app's sender in this process (tests use this)."""
        with self._lock:
            sender = self._senders.pop(id(app), None)
        if sender is not None:
            sender.stop()

    def sender_wanted(self, app: Flask) -> bool:
        """Return whether this app runs a background sender: its target is set and its switch is not off."""
        if not app.config.get(self.channel.needs):
            return False
        wanted = app.config.get(self.channel.switch)
        return (not app.testing) if wanted is None else bool(wanted)

    def install_wakeup(self) -> None:
        """Listen for commits that queued rows (once per process)."""
        if not event.contains(Session, "after_commit", self._wake_after_commit):
            event.listen(Session, "after_commit", self._wake_after_commit)

    def init_app(self, app: Flask) -> None:
        """Wake the sender after commits and, when the app wants one, start it on each process's first request."""
        self.install_wakeup()
        if self.sender_wanted(app):
            # Started on the first request of each process, so forked gunicorn workers each get a live thread.
            app.before_request(lambda: self.start_sender(app) and None)
