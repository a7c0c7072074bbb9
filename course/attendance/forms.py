"""Attendance forms: the day's register has one row per learner, so its fields are read from the request."""
from __future__ import annotations

from ..forms import AppForm
from ..numbers import plain_int
from .services import Entry


class RegisterForm(AppForm):
    """The day's register; only its CSRF token is a declared field (the rows depend on who is enrolled)."""


def entries_from(form_data, learner_ids: list[int]) -> tuple[list[Entry], dict[int, dict]]:
    """Return the rows the trainer filled in, and what they sent for every learner (to show again on an error).

    A learner with no status chosen is left as they were: the register can be kept in several sittings.
    """
    entries, sent = [], {}
    fill = form_data.get("fill") == "present"
    for user_id in learner_ids:
        status = (form_data.get(f"status-{user_id}") or "").strip()
        raw_minutes = (form_data.get(f"minutes-{user_id}") or "").strip()
        if not status and fill:
            status = "present"
        sent[user_id] = {"status": status, "minutes": raw_minutes}
        if status:
            entries.append(Entry(user_id, status, plain_int(raw_minutes) if raw_minutes else None))
    return entries, sent
