"""Notices that follow other features' signals (a certificate earned)."""
from __future__ import annotations

from flask import has_request_context, url_for

from .. import events
from .services import notify


def on_course_completed(sender, user, certificate=None, **extra) -> None:
    """Tell the learner their certificate is ready (in the transaction that issued it)."""
    url = url_for("pilot.certificate") if has_request_context() else ""
    notify(user, "certificate", "Your certificate is ready",
           "You met every requirement of the course. Open the certificate to print it or share its check code.", url)


def connect() -> None:
    """Listen for the signals notices follow (once per process)."""
    events.course_completed.connect(on_course_completed, weak=False)
