"""The one seam between the app and the grader: every page, the API and the classroom grade through here.

It turns a vignette (or its id, looked up in the app's VIGNETTES_DIR) into the grader's Roster,
passes the learner's own danger statements, a child's age and which child a text is for through, enforces the app's one
length limit (GRADE_MAX_CHARS, at most the grader's own), counts grading requests against the
rate limits, and turns every way grading can fail into one error, GradingUnavailable, whose
message is fit to show. Callers save the learner's text before they call grade().
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from flask import current_app

import grader
from grader.core import check_child, check_child_age
from grader.pipeline import pipeline_error

from .config import DEFAULTS
from .ratelimit import RateLimitResult, first_refusal
from .security import client_ip
from .vignettes import Vignette, all_vignettes, get_vignette

log = logging.getLogger(__name__)

# What a learner sees when the grader cannot run: their text was saved before grading began.
UNAVAILABLE = "Feedback is unavailable right now; your draft is saved."
RATE_MESSAGE = "You asked for feedback many times in a short time, so checking is paused."
# Titles kept with the name they precede when names are masked ("Mr. Okoro" becomes one placeholder).
TITLES = {"mr", "mrs", "ms", "miss", "dr", "mx"}
NAME_LIKE = {"ORG", "GPE", "LOC", "FAC"}  # entity labels the small model also gives to first names
# Roles a learner is asked to write instead of names; the recogniser sometimes tags them when capitalised.
ROLE_WORDS = {"mom", "mum", "dad", "mother", "father", "grandma", "grandmother", "grandpa", "grandfather", "nana",
              "aunt", "uncle", "baby", "auntie"}


class GradingUnavailable(Exception):
    """No feedback for this text: the grader is loading or failed (status 503), or the input cannot be graded (400).

    The message says what to do next; `field` names the request field at fault for an input problem.
    """

    def __init__(self, message: str = UNAVAILABLE, status: int = 503, field: str = "text"):
        super().__init__(message)
        self.status = status
        self.field = field


class GradingSettingError(RuntimeError):
    """A grading setting is out of range; the message says what to set instead (raised at start-up)."""


# ---------------------------------------------------------------- settings

def check_settings(config: dict) -> None:
    """Refuse to start unless GRADE_MAX_CHARS is a whole number from 1 to the grader's own limit."""
    value = config.get("GRADE_MAX_CHARS")
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= grader.MAX_CHARS:
        raise GradingSettingError(
            f"GRADE_MAX_CHARS is {value!r}; set it to a whole number from 1 to {grader.MAX_CHARS:,} (the grader's "
            f"own limit), or leave it out for the default {DEFAULTS['GRADE_MAX_CHARS']:,}.")
    for name in ("GRADE_RATE_WINDOW_SECONDS", "GRADE_RATE_PER_USER", "GRADE_RATE_PER_ADDRESS"):
        limit = config.get(name)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise GradingSettingError(f"{name} is {limit!r}; set it to a whole number of at least 1.")


def max_chars() -> int:
    """The longest text the app grades (GRADE_MAX_CHARS)."""
    return current_app.config["GRADE_MAX_CHARS"]


def too_long(length: int) -> str:
    """The message for a text over GRADE_MAX_CHARS."""
    return (f"The text is {length:,} characters long; the limit is {max_chars():,}. "
            "Shorten it: a statement is usually a few sentences.")


# ---------------------------------------------------------------- rosters

def roster_for(vignette: Vignette | str | None) -> grader.Roster | None:
    """The grader's Roster for a vignette, or for a vignette id looked up in the app's VIGNETTES_DIR."""
    if vignette is None:
        return None
    if isinstance(vignette, str):
        found = get_vignette(vignette)
        if found is None:
            known = ", ".join(v.id for v in all_vignettes()) or "none are loaded"
            raise GradingUnavailable(f"No practice case has the id {vignette[:80]!r}. Use one of: {known}.",
                                     status=400, field="vignette")
        vignette = found
    return grader.roster_from_mapping({"id": vignette.id, "roster": vignette.roster}, f"vignette {vignette.id}")


# ---------------------------------------------------------------- grading

def _pipeline() -> None:
    """Make sure the spaCy pipeline is there, or raise GradingUnavailable (loading elsewhere, or failed)."""
    if grader.pipeline_status() == "loading":
        raise GradingUnavailable()  # another thread is loading it: answer now rather than hold a worker
    try:
        grader.load_pipeline()
    except Exception as exc:  # a missing or broken model, whatever its error type: the grader records it
        log.warning("grader pipeline unavailable: %s", exc)
        raise GradingUnavailable() from exc


def grade(kind: str, text: str, *, vignette: Vignette | str | None = None, danger: Iterable[str] | None = None,
          child_age: Any = None, child: Any = None) -> dict:
    """Grade a text and return the report as a dict; raise GradingUnavailable with a message to show.

    vignette: the practice case the text is about (its roster names the family); danger: the
    learner's own danger statements for that family, which a safety goal must answer; child_age:
    the age of the child a child_questions text is for; child: that child (a roster person or a
    name), so hints name this child and never a brother or sister.
    """
    if not isinstance(text, str) or not text.strip():
        raise GradingUnavailable("The text is empty: write your statement first, then check it.", status=400)
    if len(text) > max_chars():
        raise GradingUnavailable(too_long(len(text)), status=413)
    try:
        check_child_age(child_age)
    except grader.GraderInputError as exc:
        raise GradingUnavailable(str(exc), status=400, field="child_age") from exc
    roster = roster_for(vignette)
    child_name = getattr(child, "name", child)
    try:
        check_child(child_name, roster or grader.Roster())
    except grader.GraderInputError as exc:
        raise GradingUnavailable(str(exc), status=400, field="child") from exc
    _pipeline()
    try:
        report = grader.grade(kind, text, roster=roster, danger=list(danger or ()) or None, child_age=child_age,
                              child=child_name)
    except grader.GraderInputError as exc:
        raise GradingUnavailable(str(exc), status=400) from exc
    return report.to_dict()


def name_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the names spaCy's named-entity recogniser finds, a title before one included.

    A PERSON entity is a name; so is an organisation or place made only of proper nouns, because the
    small English model often labels a first name as a place or an organisation ("Jayden" as GPE).
    Raises GradingUnavailable when the pipeline is loading or failed, like grade().
    """
    if len(text) > max_chars():
        raise GradingUnavailable(too_long(len(text)), status=413)
    _pipeline()
    doc = grader.load_pipeline()(text)
    spans = []
    for ent in doc.ents:
        proper = all(token.pos_ == "PROPN" for token in ent) and not ent.text.isupper()  # CPS, AA: not names
        if ent.text.lower() in ROLE_WORDS or (ent.label_ != "PERSON" and not (ent.label_ in NAME_LIKE and proper)):
            continue
        start = ent.start
        if start > 0 and doc[start - 1].lower_.rstrip(".") in TITLES:
            start -= 1
        spans.append((doc[start].idx, ent.end_char))
    return spans


def preload() -> None:
    """Start loading the spaCy pipeline in a background thread, so the first check does not wait for it."""
    grader.preload_in_background()


def status() -> str:
    """The grader's state for /healthz: ready, loading, idle (loads on first use) or unavailable (failed to load)."""
    state = grader.pipeline_status()
    if state in ("ready", "loading"):
        return state
    return "unavailable" if pipeline_error() is not None else "idle"


# ---------------------------------------------------------------- rate limits

def rate_refusal(user_id: int | None) -> RateLimitResult | None:
    """Count one grading request for the user and the client address; return the refusal when either is over."""
    config = current_app.config
    window = config["GRADE_RATE_WINDOW_SECONDS"]
    checks = [(f"grade:address:{client_ip()}", config["GRADE_RATE_PER_ADDRESS"], window)]
    if user_id is not None:
        checks.append((f"grade:user:{user_id}", config["GRADE_RATE_PER_USER"], window))
    return first_refusal(checks)
