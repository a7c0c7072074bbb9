"""The xAPI outbox's background sender: one daemon thread per process posts due statements to the LRS
(the loop is the one both outboxes share, course/outbox_sender.py)."""
from __future__ import annotations

from ..outbox_sender import Channel, Senders
from .outbox import flush, setting

SENDERS = Senders(Channel(
    name="xapi-sender", flush=lambda worker: flush(worker).total, poll_seconds=lambda: setting("XAPI_POLL_SECONDS"),
    needs="XAPI_LRS_URL", switch="XAPI_SENDER", queued_flag="xapi_enqueued", stop_timeout=5.0))
