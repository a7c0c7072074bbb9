"""The background sender both database outboxes share (mail and xAPI): one daemon thread per process and outbox
hands due rows on, woken after a commit that queued some, and polling otherwise. The rows, their claims and
retries live in the database; only the thread itself belongs to the process."""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def worker_name() -> str:
    """Return a name for this sender: host, process and a random part, so claims never collide."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:120]


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
