"""Completion rules: when a module counts as complete, what the certificate needs, and the hours earned."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Announce the module completions that a passed check or a done activity brings."""
    from .. import events
    from .receivers import on_quiz_scored

    events.quiz_scored.connect(on_quiz_scored, weak=False)
