"""What the trainer's home shows for each cohort: review counts, learners not started or stalled, returned work
waiting on learners, and today's classroom session. Reads only."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from ..attendance.services import DaySummary, day_summaries
from ..classroom.services import can_run, sessions_for
from ..cohorts.services import visible_cohorts
from ..curriculum.services import completion
from ..database import utcnow
from ..extensions import db
from ..models import Cohort, MappingAttempt, ModuleProgress, User, Work
from ..models.classroom import ClassSession
from ..models.quizzes import QuizAttempt
from ..names import Namer
from ..review.sets import SetSummary, cohort_works, review_counts, statement_label, summarise
from ..timezones import zone_info
from ..vignettes import get_vignette

STALLED_DAYS = 7  # no activity for this long, with the course unfinished: the learner has stalled


@dataclass
class LearnerLine:
    """One learner in a list: name (masked where the cohort asks), last activity and modules done."""

    user_id: int
    name: str
    last_active: datetime | None
    done: int
    total: int


@dataclass
class ReturnedSet:
    """A learner's family set with statements returned and not sent back yet."""

    summary: SetSummary
    name: str
    family: str
    statements: list[str]
    returned_at: datetime | None


@dataclass
class CohortPanel:
    """Everything the trainer home shows about one cohort."""

    cohort: Cohort
    counts: dict[str, int]
    learners: int
    not_started: list[LearnerLine] = field(default_factory=list)
    stalled: list[LearnerLine] = field(default_factory=list)
    returned: list[ReturnedSet] = field(default_factory=list)
    class_days: list[int] = field(default_factory=list)  # Day 1 and/or Day 2 fall today
    live_sessions: list[ClassSession] = field(default_factory=list)
    can_run: bool = False
    attendance: list[DaySummary] = field(default_factory=list)  # class days so far with learners unrecorded

    @property
    def waiting(self) -> int:
        """Return how many sets wait for any trainer (new or resubmitted)."""
        return self.counts["new"] + self.counts["resubmitted"]


def stalled_after() -> timedelta:
    """Return how long without activity counts as stalled (TRAINER_STALLED_DAYS)."""
    return timedelta(days=int(current_app.config.get("TRAINER_STALLED_DAYS", STALLED_DAYS)))


def last_activity(user_ids: list[int]) -> dict[int, datetime]:
    """Return each learner's latest activity: a module read, a statement saved, a quiz or a mapping tried."""
    if not user_ids:
        return {}
    latest: dict[int, datetime] = {}
    sources = ((ModuleProgress.user_id, ModuleProgress.updated_at), (Work.user_id, Work.updated_at),
               (QuizAttempt.user_id, QuizAttempt.created_at), (MappingAttempt.user_id, MappingAttempt.created_at))
    for user_column, time_column in sources:
        rows = db.session.execute(select(user_column, func.max(time_column)).where(user_column.in_(user_ids))
                                  .group_by(user_column))
        for user_id, when in rows:
            when = _aware(when)
            if when is not None and (user_id not in latest or when > latest[user_id]):
                latest[user_id] = when
    return latest


def _aware(value) -> datetime | None:
    """Return a timestamp with its UTC zone (SQLite's MAX() hands back naive text or datetimes)."""
    from datetime import UTC

    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def today_for(cohort: Cohort, now: datetime | None = None) -> date:
    """Return today's date where the cohort meets, in the cohort's own time zone."""
    return (now or utcnow()).astimezone(zone_info(cohort.time_zone)).date()


def attendance_due(cohort: Cohort, today: date) -> list[DaySummary]:
    """Return the class days, up to today, that still have learners with no attendance recorded."""
    return [d for d in day_summaries(cohort) if d.date is not None and d.date <= today and d.unrecorded]


def _learner_lines(cohort: Cohort, namer: Namer, now: datetime) -> tuple[list[LearnerLine], list[LearnerLine]]:
    """Return (not started, stalled) learners of the cohort, longest idle first."""
    learners = cohort.learners
    active = last_activity([u.id for u in learners])
    not_started, stalled = [], []
    for user in sorted(learners, key=lambda u: namer.sort_key(u, cohort)):
        done, total = completion(user)
        line = LearnerLine(user.id, namer.name(user, cohort), active.get(user.id), done, total)
        if line.last_active is None:
            not_started.append(line)
        elif done < total and line.last_active < now - stalled_after():
            stalled.append(line)
    stalled.sort(key=lambda line: line.last_active)
    return not_started, stalled


def _returned(viewer: User, cohort: Cohort, namer: Namer) -> list[ReturnedSet]:
    """Return the cohort's sets with returned statements the learners have not sent back, oldest return first."""
    result = []
    for summary in summarise(cohort_works([cohort.id]), viewer):
        waiting = summary.waiting_on_learner
        if not waiting:
            continue
        vignette = get_vignette(summary.vignette_id)
        returns = [summary.returns[w.id].decided_at for w in waiting if summary.returns[w.id].decided_at]
        result.append(ReturnedSet(summary, namer.name(summary.learner, cohort),
                                  vignette.title if vignette else summary.vignette_id,
                                  [statement_label(w.kind, w.position) for w in waiting],
                                  min(returns) if returns else None))
    return sorted(result, key=lambda r: (r.returned_at is None, r.returned_at))


def cohort_panel(viewer: User, cohort: Cohort, namer: Namer, live: list[ClassSession]) -> CohortPanel:
    """Return the trainer home's panel for one cohort."""
    now = utcnow()
    not_started, stalled = _learner_lines(cohort, namer, now)
    today = today_for(cohort)
    days = [n for n, when in ((1, cohort.day1_date), (2, cohort.day2_date)) if when == today]
    return CohortPanel(cohort, review_counts(viewer, cohort), len(cohort.learners), not_started, stalled,
                       _returned(viewer, cohort, namer), days, [s for s in live if s.cohort_id == cohort.id],
                       can_run(viewer, cohort), attendance_due(cohort, today))


def home_panels(viewer: User) -> list[CohortPanel]:
    """Return one panel per cohort the viewer leads (every cohort for an admin), today's classes first."""
    namer = Namer(viewer)
    live = sessions_for(viewer)
    panels = [cohort_panel(viewer, cohort, namer, live) for cohort in visible_cohorts(viewer)]
    return sorted(panels, key=lambda p: (not (p.class_days or p.live_sessions), -p.waiting, p.cohort.name.lower()))
