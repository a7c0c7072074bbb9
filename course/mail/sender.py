"""The mail outbox's background sender: one daemon thread per process hands due messages to the SMTP server
(the loop is the one both outboxes share, course/outbox_sender.py)."""
from __future__ import annotations

from ..outbox_sender import Channel, Senders
from .outbox import flush, setting

SENDERS = Senders(Channel(
    name="mail-sender", flush=lambda worker: flush(worker).total, poll_seconds=lambda: setting("MAIL_POLL_SECONDS"),
    needs="MAIL_SERVER", switch="MAIL_BACKGROUND", queued_flag="mail_queued", stop_timeout=15.0))
