"""The background sender: one daemon thread per process hands due outbox messages to the SMTP server."""
from __future__ import annotations

import logging
import os
import threading

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from .outbox import flush, setting, worker_name

log = logging.getLogger(__name__)


class Sender:
    """Sends due messages in a loop; a wake-up after each queued message avoids waiting for the next poll."""

    def __init__(self, app: Flask):
        self.app = app
        self.worker = worker_name()
        self.pid = os.getpid()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)

    def start(self) -> Sender:
        """Start the thread."""
        self._thread.start()
        return self

    def wake(self) -> None:
        """Ask the sender to look at the outbox now."""
        self._wake.set()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the loop and wait for the thread to finish its current message."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        """Return whether the thread is running."""
        return self._thread.is_alive()

    def run_once(self) -> int:
        """Do one pass over the outbox; return how many messages were tried."""
        with self.app.app_context():
            return flush(self.worker).total

    def _run(self) -> None:
        """Loop until stopped: send what is due, then sleep until woken or the poll interval passes."""
        while not self._stop.is_set():
            tried = 0
            try:
                tried = self.run_once()
            except Exception:  # a database hiccup must not kill the sender for the life of the process
                log.exception("mail sender pass failed; will try again")
            if tried:
                continue
            with self.app.app_context():
                poll = setting("MAIL_POLL_SECONDS")
            self._wake.wait(poll)
            self._wake.clear()


_senders: dict[int, Sender] = {}  # id(app) -> the sender of this process
_lock = threading.Lock()


def sender_for(app: Flask) -> Sender | None:
    """Return the app's running sender in this process, if any."""
    sender = _senders.get(id(app))
    return sender if sender is not None and sender.pid == os.getpid() and sender.alive else None


def start_sender(app: Flask) -> Sender:
    """Start the app's sender in this process unless one runs (a forked worker starts its own)."""
    with _lock:
        sender = sender_for(app)
        if sender is None:
            sender = Sender(app).start()
            _senders[id(app)] = sender
        return sender


def stop_sender(app: Flask) -> None:
    """Stop the app's sender in this process (tests use this)."""
    with _lock:
        sender = _senders.pop(id(app), None)
    if sender is not None:
        sender.stop()


def sender_wanted(app: Flask) -> bool:
    """Return whether this app runs a background sender: a server is set and MAIL_BACKGROUND is not off."""
    if not app.config.get("MAIL_SERVER"):
        return False
    wanted = app.config.get("MAIL_BACKGROUND")
    return (not app.testing) if wanted is None else bool(wanted)


def _wake_after_commit(session: Session) -> None:
    """Wake this process's senders once new messages are committed."""
    if session.info.pop("mail_queued", False):
        for sender in list(_senders.values()):
            if sender.pid == os.getpid():
                sender.wake()


def install_wakeup() -> None:
    """Listen for commits that queued messages (once per process)."""
    if not event.contains(Session, "after_commit", _wake_after_commit):
        event.listen(Session, "after_commit", _wake_after_commit)
