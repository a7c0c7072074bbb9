"""The 30-day follow-up: when it opens, the scheduled invitation mail, the privacy guard, and saving the answers.

The invitation is a job in the database, never in a process: when a certificate is issued, a mail
row is queued in the outbox due 30 days later, and whichever sender (a worker's background
thread or `flask mail send`) finds it due writes it then, or skips it when the learner has
answered or left. The in-app notice needs no job at all: it is read from the certificate's date.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from grader.vocabulary import kind_label

from .. import grading
from ..database import utcnow
from ..extensions import db
from ..mail.outbox import Composed, queue_composed
from ..models import User
from ..models.loop import FollowUp
from ..models.mail import MailMessage
from ..models.pilot import Certificate
from ..notices.services import site_url
from ..pilot.services import cohort_id_of

DAYS = 30
MAIL_CATEGORY = "follow_up"
# The tools of the course a worker can use with families, in the order the course teaches them.
TOOLS = {
    "mapping": "Mapping a family's situation (worries, what is working well, what needs to happen)",
    "harm": "Harm statements",
    "danger": "Danger statements",
    "safety_goal": "Safety goals",
    "sf_question": "Solution-focused questions",
    "houses": "Three Houses or Safety House with a child",
}
FREQUENCIES = {
    "not_yet": "Not yet",
    "once": "Once or twice",
    "several": "Several times",
    "most": "With most families I worked with",
}
OBSTACLES = {
    "time": "Not enough time",
    "forms": "Our forms or case system ask for other wording",
    "team": "My supervisor or team work differently",
    "families": "How families reacted",
    "confidence": "I did not feel confident enough yet",
    "role": "It does not fit my role",
}
STATEMENT_KINDS = ("harm", "danger", "safety_goal", "sf_question")
PLACEHOLDER = "[name {n}]"


def certificate_of(user_id: int) -> Certificate | None:
    """Return the learner's certificate in force (the newest not revoked), if any."""
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user_id, Certificate.revoked_at.is_(None))
                             .order_by(Certificate.issued_at.desc(), Certificate.id.desc()).limit(1))


def answers_of(user_id: int) -> FollowUp | None:
    """Return the learner's follow-up answers, if sent."""
    return db.session.scalar(select(FollowUp).where(FollowUp.user_id == user_id))


def opens_at(certificate: Certificate) -> datetime:
    """Return when the follow-up opens: DAYS after the certificate."""
    return certificate.issued_at + timedelta(days=DAYS)


@dataclass(frozen=True)
class State:
    """Where a learner is with the follow-up: none (no certificate), waiting, open or answered."""

    name: str
    opens: datetime | None = None
    answers: FollowUp | None = None


def state_of(user_id: int, now: datetime | None = None) -> State:
    """Return the learner's follow-up state at `now` (the clock is a parameter so tests can move it)."""
    certificate = certificate_of(user_id)
    if certificate is None:
        return State("none")
    answers = answers_of(user_id)
    if answers is not None:
        return State("answered", opens_at(certificate), answers)
    opens = opens_at(certificate)
    return State("open" if (now or utcnow()) >= opens else "waiting", opens)


def notice_for_current_user() -> bool:
    """Return whether the signed-in learner's follow-up is open and unanswered (for the notice on every page)."""
    if not current_user.is_authenticated or current_user.role != "learner" or request.blueprint == "followup":
        return False
    return state_of(current_user.id).name == "open"


# ---------------------------------------------------------------- the scheduled invitation

def schedule_invitation(user: User, certificate: Certificate, site: str | None = None) -> MailMessage:
    """Queue the invitation mail, due DAYS after the certificate (the view that issued it commits)."""
    row = queue_composed(user.email, MAIL_CATEGORY, {"site": site or site_url(), "user_id": user.id})
    row.next_attempt_at = opens_at(certificate)
    return row


def unscheduled_certificates() -> list[Certificate]:
    """Return certificates in force whose learner has no invitation queued and has not answered.

    These were issued before invitations were scheduled (or while the mail row was lost); the in-app
    notice reaches them anyway, the backfill adds the mail."""
    queued = db.session.scalars(select(MailMessage.context).where(MailMessage.category == MAIL_CATEGORY))
    invited = {(context or {}).get("user_id") for context in queued}
    answered = set(db.session.scalars(select(FollowUp.user_id)))
    certificates = db.session.scalars(
        select(Certificate).where(Certificate.revoked_at.is_(None)).order_by(Certificate.issued_at, Certificate.id))
    return [c for c in certificates
            if c.user_id not in invited and c.user_id not in answered and c.user is not None and c.user.active]


def backfill_invitations(site: str) -> int:
    """Schedule the invitation for every certificate that has none (the caller commits); return how many."""
    missing = unscheduled_certificates()
    for certificate in missing:
        schedule_invitation(certificate.user, certificate, site)
    return len(missing)


def on_course_completed(sender, user, certificate=None, **extra) -> None:
    """Schedule the follow-up invitation when a certificate is issued (nothing to date it from without one)."""
    if certificate is not None:
        schedule_invitation(user, certificate)


def compose_invitation(row: MailMessage) -> Composed | None:
    """Write the invitation when it is due, or nothing when the learner has answered, left or changed address."""
    user = db.session.get(User, (row.context or {}).get("user_id"))
    if (user is None or not user.active or user.email != row.to or answers_of(user.id) is not None
            or certificate_of(user.id) is None):  # a revoked certificate withdraws the invitation
        return None
    site = (row.context or {}).get("site") or ""
    template = current_app.jinja_env.get_template("mail/follow_up.txt")
    text = template.render(site_name=current_app.config["SITE_NAME"], user=user, link=f"{site}/follow-up",
                           days=DAYS)
    return Composed(f"{current_app.config['SITE_NAME']}: a month on, how is it going?", text)


# ---------------------------------------------------------------- the privacy guard

@dataclass
class Guarded:
    """A follow-up text after the privacy guard: names replaced, identifiers found, the grader's view of it."""

    text: str
    names: int = 0
    identifiers: list[str] = field(default_factory=list)
    summary: dict | None = None


def mask_names(text: str) -> tuple[str, int]:
    """Replace each name spaCy finds with a numbered placeholder (the same name, the same number)."""
    spans = grading.name_spans(text) if text.strip() else []
    numbers: dict[str, int] = {}
    out, last = [], 0
    for start, end in spans:
        name = text[start:end].lower()
        number = numbers.setdefault(name, len(numbers) + 1)
        out.append(text[last:start] + PLACEHOLDER.format(n=number))
        last = end
    out.append(text[last:])
    return "".join(out), len(spans)


def guard(kind: str, text: str) -> Guarded:
    """Refuse identifiers (phone, address, birth date, case number) in the text as written, then mask names
    and grade the masked text, which is what would be kept.

    Raises grading.GradingUnavailable when the checker cannot run.
    """
    found = [f for f in grading.grade(kind, text).get("findings") or [] if f.get("category") == "privacy"]
    if found:
        return Guarded(text, 0, [str(f.get("text") or "") for f in found])
    masked, names = mask_names(text)
    return Guarded(masked, names, [], _summary(grading.grade(kind, masked)))


def _summary(report: dict) -> dict:
    """Return what the pilot report needs of the statement's grade: verdict, blocking findings, parts present."""
    findings = report.get("findings") or []
    parts = report.get("components") or []
    return {"verdict": report.get("verdict"), "grader_version": report.get("grader_version") or "",
            "blocking": sum(1 for f in findings if f.get("severity") == "error"),
            "categories": sorted({str(f.get("category")) for f in findings}),
            "present": [c["id"] for c in parts if c.get("present")], "parts": len(parts)}


def guard_note(text: str) -> Guarded:
    """Mask names in the free-text note (it is not a statement, so it is checked as plain language)."""
    return guard("plain_language", text) if text.strip() else Guarded("")


# ---------------------------------------------------------------- saving

def save_answers(user: User, tool_use: dict[str, str], obstacles: list[str], note: Guarded, kind: str,
                 statement: Guarded) -> FollowUp | None:
    """Store the answers (already guarded); return None when the learner had answered already."""
    row = FollowUp(user_id=user.id, cohort_id=cohort_id_of(user), tool_use=tool_use, obstacles=obstacles,
                   obstacle_note=note.text, statement_kind=kind, statement=statement.text, summary=statement.summary)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # a second tab sent it at the same moment
        return None
    return row


def kind_choices() -> list[tuple[str, str]]:
    """Return the statement kinds a learner may rewrite, labelled by the one vocabulary."""
    return [(kind, kind_label(kind)) for kind in STATEMENT_KINDS]
