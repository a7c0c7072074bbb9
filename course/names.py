"""The one name-masking service: how any page, export, console, report or JSON names a learner.

Rules, in order:
- presenting (a screen others can see) hides every learner's name, in every cohort;
- a learner always sees their own name;
- in an anonymous cohort, everyone else sees a stable pseudonym ("Learner 7", the learner's number
  in that cohort, given when they join and kept when they leave) and never an email, unless the
  viewer chose "reveal names" for that cohort in this sign-in;
- otherwise the real name.

"Reveal names" and "presenting" live in the signed session, tied to the sign-in that set them
(the user id and, once sign-in tokens rotate, the token in `get_id()`), expire after
REVEAL_HOURS, and are cleared at every sign-in and sign-out, so neither outlives the session.
"""
from __future__ import annotations

from datetime import timedelta

from flask import has_request_context, session
from flask_login import current_user, user_logged_in, user_logged_out
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .database import utcnow
from .extensions import db
from .models import Cohort, User
from .models.review import LearnerAlias

REVEAL_KEY = "names_revealed"
PRESENTING_KEY = "presenting"
REVEAL_HOURS = 8  # a classroom day: a reveal left on does not carry into tomorrow's sign-in
FORMER = "A learner"  # someone never numbered in the cohort (or shown outside any cohort while presenting)


# ---------------------------------------------------------------- pseudonyms

def assign_alias(cohort: Cohort, user: User) -> None:
    """Give a learner joining a cohort the next number in it, once (the caller commits); kept when they leave."""
    db.session.flush()  # the user and enrollment exist before the savepoint below
    for _attempt in range(5):
        known = select(LearnerAlias.id).where(LearnerAlias.cohort_id == cohort.id, LearnerAlias.user_id == user.id)
        if db.session.scalar(known) is not None:
            return
        top = db.session.scalar(select(func.max(LearnerAlias.number)).where(LearnerAlias.cohort_id == cohort.id))
        try:
            with db.session.begin_nested():
                db.session.add(LearnerAlias(cohort_id=cohort.id, user_id=user.id, number=(top or 0) + 1))
        except IntegrityError:  # another learner joined at the same moment and took that number: read again
            continue
        return
    raise RuntimeError(f"could not number a learner in cohort {cohort.id}: too many joined at once; try again")


def aliases(cohort: Cohort) -> dict[int, int]:
    """Return user id -> number for everyone ever numbered in the cohort (reads only)."""
    rows = db.session.execute(select(LearnerAlias.user_id, LearnerAlias.number)
                              .where(LearnerAlias.cohort_id == cohort.id))
    return {user_id: number for user_id, number in rows}


def pseudonym(number: int) -> str:
    """Return "Learner N" for a number (or the wording for someone never numbered)."""
    return f"Learner {number}" if number else FORMER


# ---------------------------------------------------------------- session state: reveal and presenting

def _viewer(viewer: User | None) -> User | None:
    """Return the viewer, defaulting to whoever is signed in."""
    if viewer is not None:
        return viewer
    return current_user if getattr(current_user, "is_authenticated", False) else None


def _sign_in_id(viewer: User | None) -> str | None:
    """Return what identifies the viewer's current sign-in (Flask-Login's id, which carries the sign-in token)."""
    return viewer.get_id() if viewer is not None else None


def _live_record(key: str, viewer: User | None) -> dict | None:
    """Return the session's record under key if it belongs to this sign-in and has not expired."""
    if not has_request_context():
        return None
    record = session.get(key)
    if not isinstance(record, dict) or record.get("who") != _sign_in_id(viewer) or _sign_in_id(viewer) is None:
        return None
    try:
        if float(record.get("until", 0)) < utcnow().timestamp():
            return None
    except (TypeError, ValueError):
        return None
    return record


def _stamp(viewer: User | None) -> dict:
    """Return a fresh record for this sign-in, valid for REVEAL_HOURS."""
    until = utcnow() + timedelta(hours=REVEAL_HOURS)
    return {"who": _sign_in_id(viewer), "until": until.timestamp()}


def is_revealed(cohort: Cohort, viewer: User | None = None) -> bool:
    """Return whether the viewer chose to see names in this anonymous cohort, in this sign-in."""
    record = _live_record(REVEAL_KEY, _viewer(viewer))
    return record is not None and cohort.id in record.get("cohorts", [])


def set_revealed(cohort: Cohort, revealed: bool, viewer: User | None = None) -> None:
    """Remember, for this sign-in only, whether names are shown for the cohort."""
    viewer = _viewer(viewer)
    record = _live_record(REVEAL_KEY, viewer) or {"cohorts": []}
    ids = set(record.get("cohorts", []))
    ids.add(cohort.id) if revealed else ids.discard(cohort.id)
    session[REVEAL_KEY] = {**_stamp(viewer), "cohorts": sorted(ids)}


def is_presenting(viewer: User | None = None) -> bool:
    """Return whether this sign-in is presenting (names hidden everywhere)."""
    return _live_record(PRESENTING_KEY, _viewer(viewer)) is not None


def set_presenting(presenting: bool, viewer: User | None = None) -> None:
    """Turn presenting mode on or off for this sign-in."""
    if presenting:
        session[PRESENTING_KEY] = _stamp(_viewer(viewer))
    else:
        session.pop(PRESENTING_KEY, None)


def forget(*_args, **_kwargs) -> None:
    """Drop every reveal and presenting choice from the session (at each sign-in and sign-out)."""
    session.pop(REVEAL_KEY, None)
    session.pop(PRESENTING_KEY, None)


# Flask-Login's signals fire on every sign-in and sign-out, whichever view does it.
user_logged_in.connect(forget)
user_logged_out.connect(forget)


# ---------------------------------------------------------------- the rule

def hides_names(cohort: Cohort | None, viewer: User | None = None, *, presenting: bool | None = None) -> bool:
    """Return whether learners of this cohort must be masked for the viewer right now."""
    if presenting is None:
        presenting = is_presenting(viewer)
    if presenting:
        return True
    return cohort is not None and cohort.anonymous_review and not is_revealed(cohort, viewer)


def display_name(learner: User, cohort: Cohort | None, viewer: User | None, *, presenting: bool = False) -> str:
    """Return how the viewer may see this learner in this cohort: the name, or a pseudonym."""
    if not presenting and viewer is not None and viewer.id == learner.id:
        return learner.display_name
    if not hides_names(cohort, viewer, presenting=presenting):
        return learner.display_name
    return pseudonym(aliases(cohort).get(learner.id, 0) if cohort is not None else 0)


def email_for(learner: User, cohort: Cohort | None, viewer: User | None, *, presenting: bool = False) -> str:
    """Return the learner's email for the viewer, or "" whenever the name is masked."""
    if not presenting and viewer is not None and viewer.id == learner.id:
        return learner.email
    return "" if hides_names(cohort, viewer, presenting=presenting) else learner.email


class Namer:
    """Names many learners for one view (one query per cohort), with the rule of display_name()."""

    def __init__(self, viewer: User | None = None, *, presenting: bool | None = None):
        self.viewer = _viewer(viewer)
        self.presenting = is_presenting(self.viewer) if presenting is None else presenting
        self._aliases: dict[int, dict[int, int]] = {}

    def hides(self, cohort: Cohort | None) -> bool:
        """Return whether this view masks the cohort's learners."""
        return hides_names(cohort, self.viewer, presenting=self.presenting)

    def alias_number(self, cohort: Cohort | None, user: User) -> int:
        """Return the learner's number in the cohort (0 when never numbered there)."""
        if cohort is None:
            return 0
        if cohort.id not in self._aliases:
            self._aliases[cohort.id] = aliases(cohort)
        return self._aliases[cohort.id].get(user.id, 0)

    def alias(self, cohort: Cohort | None, user: User) -> str:
        """Return "Learner N" for the user in the cohort."""
        return pseudonym(self.alias_number(cohort, user))

    def _own(self, user: User) -> bool:
        """Return whether the viewer is this learner (and is not presenting)."""
        return not self.presenting and self.viewer is not None and self.viewer.id == user.id

    def name(self, user: User, cohort: Cohort | None) -> str:
        """Return what the viewer should see for this learner in this cohort."""
        if self._own(user) or not self.hides(cohort):
            return user.display_name
        return self.alias(cohort, user)

    def email(self, user: User, cohort: Cohort | None) -> str:
        """Return the learner's email, or "" while names are masked."""
        return user.email if self._own(user) or not self.hides(cohort) else ""

    def sort_key(self, user: User, cohort: Cohort | None) -> tuple:
        """Return a key that orders learners by number while masked (never by the hidden name), else by name."""
        if self.hides(cohort) and not self._own(user):
            return (self.alias_number(cohort, user), "")
        return (0, user.display_name.lower())
