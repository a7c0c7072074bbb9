"""The weekly check after the course: a learner who opts in gets 3 of the items they missed every week.

Opting in makes the first check due a week later; taking it makes the next one due a week after that.
Items come from every knowledge-check item the learner ever missed (course.quizzes.spacing keeps
them in review_items), those asked least often in weekly checks first, then those last answered
wrong. Everything lives in weekly_plans and weekly_checks, so any worker can show it; the notice
for a due check is sent by `flask --app wsgi quizzes weekly-notices` (cron), once per week, through
the notices service (which also emails it when mail is configured), and every page shows a banner
while a check is due. `now` is a parameter for the tests' clock.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import request
from flask_login import current_user
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..database import utcnow
from ..extensions import db
from ..models import User
from ..models.quizzes import ReviewItem, WeeklyCheck, WeeklyPlan
from .loader import Item, Quiz, all_quizzes, get_quiz

WEEK = timedelta(days=7)
SIZE = 3  # items in one weekly check (about two minutes)
NOTICE_KIND = "weekly_check"


def plan_of(user_id: int) -> WeeklyPlan | None:
    """Return the learner's weekly-check plan (on or off), if they ever opted in."""
    return db.session.get(WeeklyPlan, user_id)


def opt_in(user_id: int, now: datetime | None = None) -> WeeklyPlan:
    """Turn the weekly check on, the first one due a week from now (no change when it is already on)."""
    now = now or utcnow()
    plan = plan_of(user_id)
    if plan is None:
        plan = WeeklyPlan(user_id=user_id, active=True, opted_in_at=now, next_due_at=now + WEEK)
        try:
            with db.session.begin_nested():
                db.session.add(plan)
            return plan
        except IntegrityError:  # a second click or tab turned it on first: use the plan it made
            plan = db.session.get(WeeklyPlan, user_id, populate_existing=True)
    if not plan.active:
        plan.active, plan.opted_in_at, plan.next_due_at, plan.notified_for = True, now, now + WEEK, None
    db.session.flush()
    return plan


def opt_out(user_id: int) -> None:
    """Turn the weekly check off; the history stays."""
    plan = plan_of(user_id)
    if plan is not None:
        plan.active = False
        db.session.flush()


@dataclass(frozen=True)
class Picked:
    """One item of a weekly check, as the content files have it now."""

    quiz: Quiz
    item: Item


def checks_of(user_id: int) -> list[WeeklyCheck]:
    """Return the learner's weekly checks, newest first."""
    return list(db.session.scalars(select(WeeklyCheck).where(WeeklyCheck.user_id == user_id)
                                   .order_by(WeeklyCheck.taken_at.desc(), WeeklyCheck.id.desc())))


def missed_items(user_id: int) -> list[tuple[ReviewItem, Picked]]:
    """Return every item the learner ever missed that is still in the course, oldest miss first."""
    rows = db.session.scalars(select(ReviewItem).where(ReviewItem.user_id == user_id)
                              .order_by(ReviewItem.created_at, ReviewItem.id))
    out = []
    for row in rows:
        quiz = get_quiz(row.quiz_id)
        item = quiz.items_by_id.get(row.item_id) if quiz else None
        if item is not None:
            out.append((row, Picked(quiz, item)))
    return out


def has_missed_item(user_id: int) -> bool:
    """Return whether the learner missed any item still in the course, in one EXISTS query (for the banner)."""
    in_course = [and_(ReviewItem.quiz_id == quiz.id, ReviewItem.item_id.in_(list(quiz.items_by_id)))
                 for quiz in all_quizzes() if quiz.items_by_id]
    if not in_course:
        return False
    return bool(db.session.scalar(select(exists().where(ReviewItem.user_id == user_id, or_(*in_course)))))


def pick(user_id: int, size: int = SIZE) -> list[Picked]:
    """Return this week's items: the missed items asked least often in weekly checks, then those last missed."""
    asked: dict[tuple[str, str], int] = {}
    last: dict[tuple[str, str], float] = {}
    for check in reversed(checks_of(user_id)):  # oldest first, so `last` ends with the latest answer
        for entry in check.items:
            key = (entry["quiz"], entry["item"])
            asked[key] = asked.get(key, 0) + 1
            last[key] = float(entry["points"])

    def order(pair: tuple[ReviewItem, Picked]) -> tuple:
        """Sort key: fewest weekly askings, then a wrong latest answer before a right one, then the oldest miss."""
        row, _ = pair
        key = (row.quiz_id, row.item_id)
        latest = last.get(key, row.history[-1]["points"] if row.history else 0.0)
        return asked.get(key, 0), latest >= 1, row.created_at, row.id

    return [picked for _, picked in sorted(missed_items(user_id), key=order)[:size]]


@dataclass
class State:
    """Where a learner is with the weekly check: off, waiting (on, not yet due), due, or empty (nothing missed)."""

    name: str
    plan: WeeklyPlan | None = None
    items: list[Picked] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Return what the form carries to say which week's check it showed."""
        if self.plan is None:
            return ""
        ids = "-".join(f"{p.quiz.id}.{p.item.id}" for p in self.items)
        return f"{self.plan.next_due_at.isoformat(timespec='seconds')}|{ids}"


def state_of(user_id: int, now: datetime | None = None) -> State:
    """Return the learner's weekly-check state at `now`."""
    plan = plan_of(user_id)
    if plan is None or not plan.active:
        return State("off", plan)
    if (now or utcnow()) < plan.next_due_at:
        return State("waiting", plan)
    items = pick(user_id)
    return State("due", plan, items) if items else State("empty", plan)


def record(user_id: int, state: State, points: list[float], now: datetime | None = None) -> WeeklyCheck | None:
    """Keep a taken check and make the next one due a week from now; None when this week's was already kept."""
    now = now or utcnow()
    check = WeeklyCheck(user_id=user_id, due_at=state.plan.next_due_at, taken_at=now, score=round(sum(points), 2),
                        max_score=len(points),
                        items=[{"quiz": p.quiz.id, "item": p.item.id, "points": round(float(s), 2)}
                               for p, s in zip(state.items, points, strict=True)])
    try:
        with db.session.begin_nested():
            db.session.add(check)
    except IntegrityError:  # the same week's check sent from a second tab
        return None
    state.plan.next_due_at = now + WEEK
    db.session.flush()
    return check


@dataclass(frozen=True)
class Past:
    """One weekly check for the history: when, the score, and each item that came back with its points."""

    check: WeeklyCheck
    items: list[tuple[Item | None, float]]


def history(user_id: int) -> list[Past]:
    """Return the learner's weekly checks, newest first, each with its items (None when gone from the course)."""
    out = []
    for check in checks_of(user_id):
        items = []
        for entry in check.items:
            quiz = get_quiz(entry["quiz"])
            items.append((quiz.items_by_id.get(entry["item"]) if quiz else None, float(entry["points"])))
        out.append(Past(check, items))
    return out


# ---------------------------------------------------------------- telling the learner

def notice_for_current_user() -> bool:
    """Return whether the signed-in learner has a weekly check due (for the banner on every page)."""
    if (not current_user.is_authenticated or current_user.role != "learner"
            or request.endpoint == "quizzes.weekly_check"):
        return False
    # Every page asks, so this is state_of's "due" without picking the items: plan on, the week up, something missed.
    plan = plan_of(current_user.id)
    return plan is not None and plan.active and utcnow() >= plan.next_due_at and has_missed_item(current_user.id)


def send_due_notices(now: datetime | None = None) -> int:
    """Add a notice (emailed when mail is configured, as the learner chose) for every check that fell due and has
    not had one; return how many. The caller commits."""
    from ..notices.services import notify

    now = now or utcnow()
    unsent = or_(WeeklyPlan.notified_for.is_(None), WeeklyPlan.notified_for != WeeklyPlan.next_due_at)
    due = db.session.execute(select(WeeklyPlan.user_id, WeeklyPlan.next_due_at)
                             .where(WeeklyPlan.active.is_(True), WeeklyPlan.next_due_at <= now, unsent)).all()
    sent = 0
    for user_id, due_at in due:
        user = db.session.get(User, user_id)
        count = len(pick(user_id)) if user is not None and user.active else 0
        if not count:
            continue
        # Claim this week's notice in one compare-and-set UPDATE: when two runs of the job overlap, the row
        # changes for only one of them (the other's UPDATE waits for its commit and then matches nothing).
        claimed = db.session.execute(
            update(WeeklyPlan).where(WeeklyPlan.user_id == user_id, WeeklyPlan.active.is_(True),
                                     WeeklyPlan.next_due_at == due_at, unsent)
            .values(notified_for=due_at).execution_options(synchronize_session="fetch")).rowcount
        if claimed != 1:
            continue
        notify(user, NOTICE_KIND, "Your weekly two-minute check is ready",
               f"{count} question{'s' if count != 1 else ''} you missed during the course, to keep "
               f"{'them' if count != 1 else 'it'} fresh.", "/quizzes/weekly")
        sent += 1
    db.session.flush()
    return sent
