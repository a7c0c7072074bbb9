"""Pilot services: module feedback, the course evaluation, course completion and certificates."""
from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..curriculum.services import all_modules, progress_by_module, required_modules as curriculum_required_modules
from ..database import utcnow
from ..events import course_completed
from ..extensions import db
from ..models import User, Work, WorkStatus
from ..models.pilot import Certificate, CourseEvaluation, ModuleFeedback
from ..vignettes import KINDS, get_vignette

# ---------------------------------------------------------------- module feedback


def cohort_id_of(user: User) -> int | None:
    """Return the learner's current cohort id (stored with their responses)."""
    cohort = user.cohort
    return cohort.id if cohort is not None else None


def feedback_for(user: User, module_id: str) -> ModuleFeedback | None:
    """Return the learner's feedback row for a module, if any."""
    return db.session.scalar(
        select(ModuleFeedback).where(ModuleFeedback.user_id == user.id, ModuleFeedback.module_id == module_id)
    )


def _feedback_row(user: User, module_id: str) -> ModuleFeedback:
    """Return the learner's feedback row for a module, creating it once even if two tabs race."""
    row = feedback_for(user, module_id)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = ModuleFeedback(user_id=user.id, module_id=module_id, cohort_id=cohort_id_of(user))
            db.session.add(row)
    except IntegrityError:
        row = feedback_for(user, module_id)
    return row


def save_feedback(user: User, module_id: str, usefulness: int, clarity: int, comment: str) -> ModuleFeedback:
    """Store the learner's ratings and comment for a module (the caller commits)."""
    row = _feedback_row(user, module_id)
    row.usefulness, row.clarity = usefulness, clarity
    row.comment = (comment or "").strip()[:2000]
    row.skipped = False
    row.cohort_id = cohort_id_of(user)
    return row


def skip_feedback(user: User, module_id: str) -> ModuleFeedback:
    """Remember that the learner chose not to rate a module, so the form is not offered again."""
    row = _feedback_row(user, module_id)
    if row.usefulness is None and row.clarity is None:
        row.skipped = True
    return row


# ---------------------------------------------------------------- course evaluation


def evaluation_for(user: User) -> CourseEvaluation | None:
    """Return the learner's course evaluation, if they gave one."""
    return db.session.scalar(select(CourseEvaluation).where(CourseEvaluation.user_id == user.id))


def save_evaluation(user: User, confidence: dict[int, tuple[int, int]], usefulness: int, recommend: str,
                    keep: str, change: str) -> CourseEvaluation:
    """Create or update the learner's evaluation (the caller commits)."""
    row = evaluation_for(user)
    cohort_id = cohort_id_of(user)
    if row is None:
        row = CourseEvaluation(user_id=user.id)
    row.cohort_id = cohort_id
    row.confidence = {str(n): {"before": before, "after": after} for n, (before, after) in sorted(confidence.items())}
    row.usefulness = usefulness
    row.recommend = recommend
    row.keep = (keep or "").strip()[:3000]
    row.change = (change or "").strip()[:3000]
    db.session.add(row)
    return row


# ---------------------------------------------------------------- completion and certificates

# The exercise set a learner must have accepted, all for the same vignette. "harm" is met by an
# accepted harm statement or by an accepted judgement that no harm statement is due (danger-only cases).
REQUIRED_KINDS = KINDS  # every kind a practice case asks for
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O or U to misread
CODE_LENGTH = 12  # 60 random bits


def required_modules():
    """Return the modules a certificate needs: every classroom module (pre-work is recommended, not required)."""
    return curriculum_required_modules()


def accepted_kinds_by_vignette(user: User) -> dict[str, set[str]]:
    """Return, per vignette, which required kinds the learner has accepted work for."""
    rows = db.session.execute(
        select(Work.vignette_id, Work.kind).where(Work.user_id == user.id, Work.status == WorkStatus.ACCEPTED.value)
    )
    found: dict[str, set[str]] = {}
    for vignette_id, kind in rows:
        if kind in REQUIRED_KINDS:
            found.setdefault(vignette_id, set()).add(kind)
    return found


def vignette_title(vignette_id: str) -> str:
    """Return a vignette's title, or its id when the vignette library is not available."""
    vignette = get_vignette(vignette_id)
    return vignette.title if vignette is not None else vignette_id


@dataclass
class CompletionStatus:
    """Where a learner stands against the certificate requirements."""

    modules_done: list = field(default_factory=list)
    modules_missing: list = field(default_factory=list)
    best_vignette: str | None = None
    kinds_done: set = field(default_factory=set)
    exercises_done: bool = False

    @property
    def modules_complete(self) -> bool:
        """Return whether every required module is complete."""
        return not self.modules_missing

    @property
    def complete(self) -> bool:
        """Return whether the learner has earned the certificate."""
        return self.modules_complete and self.exercises_done and bool(self.modules_done)

    @property
    def kinds_missing(self) -> list[str]:
        """Return the required kinds still missing for the closest vignette."""
        return [k for k in REQUIRED_KINDS if k not in self.kinds_done]


def completion_status(user: User) -> CompletionStatus:
    """Return the learner's standing: required modules done and missing, and the closest exercise set."""
    progress = progress_by_module(user)
    status = CompletionStatus()
    for module in required_modules():
        row = progress.get(module.id)
        (status.modules_done if row and row.completed_at else status.modules_missing).append(module)
    by_vignette = accepted_kinds_by_vignette(user)
    if by_vignette:
        best = max(sorted(by_vignette), key=lambda v: len(by_vignette[v]))
        status.best_vignette, status.kinds_done = best, by_vignette[best]
        status.exercises_done = any(set(REQUIRED_KINDS) <= kinds for kinds in by_vignette.values())
        if status.exercises_done:
            status.best_vignette = next(v for v in sorted(by_vignette) if set(REQUIRED_KINDS) <= by_vignette[v])
            status.kinds_done = set(REQUIRED_KINDS)
    return status


def round_half(hours: float) -> float:
    """Round hours to the nearest half hour (halves round up)."""
    return math.floor(hours * 2 + 0.5) / 2


def course_hours(user: User) -> float:
    """Return credit hours: the minutes of every module the learner completed (pre-work included) / 60."""
    progress = progress_by_module(user)
    minutes = sum(m.minutes for m in all_modules() if progress.get(m.id) and progress[m.id].completed_at)
    return round_half(minutes / 60)


def new_code() -> str:
    """Return a random verification code no certificate uses yet."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(Certificate.id).where(Certificate.code == code)) is None:
            return code


def normalise_code(code: str) -> str:
    """Return a code as stored: upper case without spaces or dashes, with O read as 0 and I/L as 1."""
    cleaned = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def format_code(code: str) -> str:
    """Return a code in groups of four for reading aloud: ABCD-EFGH-JKMN."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def certificate_for(user: User) -> Certificate | None:
    """Return the learner's certificate, if issued."""
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user.id))


def find_certificate(code: str) -> Certificate | None:
    """Return the certificate with this verification code, or None."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def issue_if_complete(user: User) -> Certificate | None:
    """Issue the learner's certificate once they meet the requirements; return it (or None if not yet)."""
    existing = certificate_for(user)
    if existing is not None:
        return existing
    if user.role != "learner" or not completion_status(user).complete:
        return None
    try:
        with db.session.begin_nested():
            certificate = Certificate(
                user_id=user.id, cohort_id=cohort_id_of(user), code=new_code(), name=user.display_name,
                course=current_app.config.get("SITE_NAME", "SOP Foundations"), hours=course_hours(user),
                issued_at=utcnow(),
            )
            db.session.add(certificate)
    except IntegrityError:  # another request issued it at the same moment
        return certificate_for(user)
    course_completed.send(current_app._get_current_object(), user=user, certificate=certificate)
    return certificate


def on_milestone(sender, user, **extra) -> None:
    """Check for course completion whenever a module is completed or work is accepted."""
    issue_if_complete(user)
