"""The pilot report: aggregates only, with no breakdown for any group of fewer than five responses."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from statistics import mean

from sqlalchemy import func, select

from ..cohorts.services import visible_cohorts
from ..completion.services import REQUIRED_KINDS, module_states, required_modules
from ..curriculum.services import all_modules
from ..extensions import db
from ..models import Cohort, Enrollment, User, Work, WorkStatus
from ..models.pilot import Certificate, CourseEvaluation, ModuleFeedback
from . import knowledge
from .objectives import OBJECTIVES

MIN_GROUP = 5  # fewer responses than this and a breakdown could point at a person
HIDDEN_NOTE = "fewer than 5 responses \u2014 hidden to protect anonymity"


class FilterError(ValueError):
    """The report filter asked for something that cannot be shown; the message says what to fix."""


@dataclass
class ReportFilter:
    """Which responses the report covers: a cohort (or all the viewer may see) and a date range."""

    cohorts: list[Cohort]  # the cohorts the viewer may see
    cohort: Cohort | None = None  # the one chosen, or None for all of them
    start: date | None = None
    end: date | None = None
    everything: bool = False  # an admin looking at all cohorts also sees learners in none

    @property
    def cohort_ids(self) -> list[int]:
        """Return the ids of the cohorts covered."""
        return [self.cohort.id] if self.cohort else [c.id for c in self.cohorts]

    def as_args(self) -> dict:
        """Return the filter as query arguments (for export links)."""
        args = {}
        if self.cohort:
            args["cohort"] = self.cohort.id
        if self.start:
            args["start"] = self.start.isoformat()
        if self.end:
            args["end"] = self.end.isoformat()
        return args

    def time_bounds(self) -> tuple[datetime | None, datetime | None]:
        """Return the range as UTC instants: from the start day's beginning to the end day's close."""
        low = datetime.combine(self.start, time.min, UTC) if self.start else None
        high = datetime.combine(self.end + timedelta(days=1), time.min, UTC) if self.end else None
        return low, high


def _parse_date(value: str | None, label: str) -> date | None:
    """Return a YYYY-MM-DD date, or None when blank; raise FilterError when it is not a date."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"The {label} date must look like 2027-03-01.") from None


def build_filter(viewer: User, args) -> ReportFilter:
    """Read the cohort and date range from query arguments, limited to cohorts the viewer may see."""
    cohorts = visible_cohorts(viewer)
    chosen = None
    raw = (args.get("cohort") or "").strip()
    if raw:
        chosen = next((c for c in cohorts if str(c.id) == raw), None)
        if chosen is None:
            raise FilterError("That cohort is not one of yours. Choose a cohort from the list.")
    start, end = _parse_date(args.get("start"), "from"), _parse_date(args.get("end"), "to")
    if start and end and start > end:
        raise FilterError("The \u2018from\u2019 date is after the \u2018to\u2019 date.")
    return ReportFilter(cohorts=cohorts, cohort=chosen, start=start, end=end,
                        everything=viewer.is_admin and chosen is None)


def _scoped(query, model, flt: ReportFilter):
    """Limit a query on a response table to the filter's cohorts and dates."""
    if not flt.everything:
        query = query.where(model.cohort_id.in_(flt.cohort_ids))
    low, high = flt.time_bounds()
    if low:
        query = query.where(model.created_at >= low)
    if high:
        query = query.where(model.created_at < high)
    return query


def anonymous_order(comments: list[str]) -> list[str]:
    """Return comments in an order unrelated to who wrote them or when: sorted by a hash of the text."""
    return sorted((c for c in comments if c.strip()), key=lambda c: hashlib.sha256(c.encode()).hexdigest())


def _avg(values: list[float]) -> float | None:
    """Return the mean to two places, or None for no values."""
    return round(float(mean(values)), 2) if values else None


# ---------------------------------------------------------------- module ratings


@dataclass
class ModuleRow:
    """Ratings for one module: shown only when at least MIN_GROUP learners rated it."""

    module_id: str
    title: str
    n: int
    skipped: int
    usefulness: float | None = None
    clarity: float | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        return self.n < MIN_GROUP


def module_ratings(flt: ReportFilter) -> list[ModuleRow]:
    """Return mean usefulness and clarity per module (in course order), hiding small groups."""
    rows = db.session.scalars(_scoped(select(ModuleFeedback), ModuleFeedback, flt)).all()
    by_module: dict[str, list[ModuleFeedback]] = {}
    for row in rows:
        by_module.setdefault(row.module_id, []).append(row)
    result = []
    for module in all_modules():
        group = by_module.get(module.id, [])
        rated = [r for r in group if not r.skipped and r.usefulness is not None and r.clarity is not None]
        item = ModuleRow(module.id, module.title, n=len(rated), skipped=sum(1 for r in group if r.skipped))
        if not item.hidden:
            item.usefulness = _avg([r.usefulness for r in rated])
            item.clarity = _avg([r.clarity for r in rated])
            item.comments = anonymous_order([r.comment for r in rated])
        result.append(item)
    return result


# ---------------------------------------------------------------- course evaluation


@dataclass
class ObjectiveRow:
    """Mean retrospective confidence before and after, for one objective."""

    number: int
    text: str
    n: int
    before: float | None = None
    after: float | None = None

    @property
    def gain(self) -> float | None:
        return None if self.before is None or self.after is None else round(self.after - self.before, 2)


@dataclass
class EvaluationSummary:
    """The end-of-course evaluation, summarised; everything stays empty below MIN_GROUP responses."""

    n: int
    objectives: list[ObjectiveRow] = field(default_factory=list)
    usefulness: float | None = None
    recommend: dict[str, int] = field(default_factory=dict)
    keep: list[str] = field(default_factory=list)
    change: list[str] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        return self.n < MIN_GROUP

    @property
    def mean_gain(self) -> float | None:
        gains = [o.gain for o in self.objectives if o.gain is not None]
        return _avg(gains)


def confidence_gains(evaluations: list[CourseEvaluation]) -> list[ObjectiveRow]:
    """Return mean before, after and gain per objective over the evaluations that rated it."""
    rows = []
    for number, text in OBJECTIVES.items():
        pairs = [e.confidence.get(str(number)) for e in evaluations]
        pairs = [p for p in pairs if p and p.get("before") is not None and p.get("after") is not None]
        rows.append(ObjectiveRow(number, text, len(pairs), _avg([p["before"] for p in pairs]),
                                 _avg([p["after"] for p in pairs])))
    return rows


def evaluation_summary(flt: ReportFilter) -> tuple[EvaluationSummary, list[CourseEvaluation]]:
    """Return the evaluation summary for the filter (and the rows, for joining with knowledge gains)."""
    evaluations = db.session.scalars(_scoped(select(CourseEvaluation), CourseEvaluation, flt)).all()
    summary = EvaluationSummary(n=len(evaluations))
    if summary.hidden:
        return summary, list(evaluations)
    summary.objectives = confidence_gains(evaluations)
    summary.usefulness = _avg([e.usefulness for e in evaluations])
    summary.recommend = {
        choice: sum(1 for e in evaluations if e.recommend == choice) for choice in ("yes", "maybe", "no")
    }
    summary.keep = anonymous_order([e.keep for e in evaluations])
    summary.change = anonymous_order([e.change for e in evaluations])
    return summary, list(evaluations)


# ---------------------------------------------------------------- learners: funnel and knowledge


def learner_ids(flt: ReportFilter) -> list[int]:
    """Return the learners in the filter's cohorts (who joined within the date range, when one is set)."""
    query = select(Enrollment.user_id).join(User, User.id == Enrollment.user_id).where(User.role == "learner")
    if not flt.everything:
        query = query.where(Enrollment.cohort_id.in_(flt.cohort_ids))
    low, high = flt.time_bounds()
    if low:
        query = query.where(Enrollment.joined_at >= low)
    if high:
        query = query.where(Enrollment.joined_at < high)
    return sorted(set(db.session.scalars(query)))


FUNNEL_STAGES = (
    ("joined", "Joined a cohort"),
    ("started", "Started a module"),
    ("half", "Completed half the required modules"),
    ("all", "Completed all required modules"),
    ("exercises", "Required exercises accepted"),
    ("certificate", "Certificate issued"),
)


def completion_funnel(ids: list[int]) -> list[tuple[str, str, int]]:
    """Return (stage, label, learners) for each funnel stage, each counting learners who reached it."""
    # Completion is derived from the rules for each learner (a stored "complete" flag is not trusted).
    users = db.session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
    required = {m.id for m in required_modules()}
    started: set[int] = set()
    done: dict[int, int] = {}
    for user in users:
        states = module_states(user)
        if any(s.status != "not_started" for s in states):
            started.add(user.id)
        done[user.id] = sum(1 for s in states if s.required and s.complete)
    half_needed = (len(required) + 1) // 2
    half = {u for u, n in done.items() if required and n >= half_needed}
    finished = {u for u, n in done.items() if required and n >= len(required)}
    accepted: dict[tuple[int, str], set[str]] = {}
    if ids:
        for user_id, vignette_id, kind in db.session.execute(
            select(Work.user_id, Work.vignette_id, Work.kind)
            .where(Work.user_id.in_(ids), Work.status == WorkStatus.ACCEPTED.value)
        ):
            accepted.setdefault((user_id, vignette_id), set()).add(kind)
    exercises = {u for (u, _), kinds in accepted.items() if set(REQUIRED_KINDS) <= kinds}
    certified = (
        set(db.session.scalars(select(Certificate.user_id).where(Certificate.user_id.in_(ids),
                                                                  Certificate.revoked_at.is_(None)))) if ids else set()
    )
    reached = {"joined": len(ids), "started": len(started), "half": len(half), "all": len(finished),
               "exercises": len(exercises), "certificate": len(certified)}
    return [(key, label, reached[key]) for key, label in FUNNEL_STAGES]


@dataclass
class KnowledgeBlock:
    """Knowledge-check gains: everyone with both checks, and those who also returned the evaluation."""

    available: bool
    everyone: knowledge.KnowledgeSummary
    evaluated: knowledge.KnowledgeSummary
    evaluated_confidence_gain: float | None = None

    @property
    def everyone_hidden(self) -> bool:
        return self.everyone.n < MIN_GROUP

    @property
    def evaluated_hidden(self) -> bool:
        return self.evaluated.n < MIN_GROUP


def knowledge_block(ids: list[int], evaluations: list[CourseEvaluation]) -> KnowledgeBlock:
    """Return knowledge gains for the learners, joined with the evaluations of the same learners."""
    users = db.session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
    results = knowledge.results_for(users)
    evaluated_ids = {e.user_id for e in evaluations}
    joined = [r for r in results if r.user_id in evaluated_ids]
    confidence = None
    if len(joined) >= MIN_GROUP:
        joined_ids = {r.user_id for r in joined}
        rows = confidence_gains([e for e in evaluations if e.user_id in joined_ids])
        confidence = _avg([r.gain for r in rows if r.gain is not None])
    return KnowledgeBlock(knowledge.available(), knowledge.summarise(results), knowledge.summarise(joined), confidence)


@dataclass
class PilotReport:
    """Everything on the report page."""

    filter: ReportFilter
    modules: list[ModuleRow]
    evaluation: EvaluationSummary
    funnel: list[tuple[str, str, int]]
    knowledge: KnowledgeBlock


def build_report(flt: ReportFilter) -> PilotReport:
    """Assemble the report for a filter."""
    evaluation, evaluations = evaluation_summary(flt)
    ids = learner_ids(flt)
    return PilotReport(flt, module_ratings(flt), evaluation, completion_funnel(ids), knowledge_block(ids, evaluations))


# ---------------------------------------------------------------- completions for training records


def completions(flt: ReportFilter) -> list[Certificate]:
    """Return certificates issued to learners in the filter's cohorts within the date range, oldest first."""
    query = select(Certificate).join(User, User.id == Certificate.user_id)
    if not flt.everything:
        in_cohorts = select(Enrollment.user_id).where(Enrollment.cohort_id.in_(flt.cohort_ids))
        query = query.where(Certificate.user_id.in_(in_cohorts))
    low, high = flt.time_bounds()
    if low:
        query = query.where(Certificate.issued_at >= low)
    if high:
        query = query.where(Certificate.issued_at < high)
    return list(db.session.scalars(query.order_by(Certificate.issued_at, Certificate.id)))


def response_count(flt: ReportFilter) -> int:
    """Return how many module ratings the filter covers (for the page summary)."""
    query = _scoped(select(func.count(ModuleFeedback.id)).where(ModuleFeedback.skipped.is_(False)), ModuleFeedback, flt)
    return db.session.scalar(query) or 0
