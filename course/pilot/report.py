"""The pilot report: aggregates only, with small cells and their complements suppressed (see smallcells)."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
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
from .smallcells import shown_views

HIDDEN_NOTE = "hidden to protect anonymity (a group under 5, or a difference with another view under 5)"
ALL = "all"  # a view over every cohort the viewer may see, or over every month
PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


class FilterError(ValueError):
    """The report filter asked for something that cannot be shown; the message says what to fix."""


@dataclass
class ReportFilter:
    """Which responses the report covers: a cohort (or all the viewer may see) and a month (or all months).

    Periods are whole calendar months, so the views on offer are a short fixed list that the
    small-cell rule can check against each other (free date ranges would offer every difference).
    """

    cohorts: list[Cohort]  # the cohorts the viewer may see
    cohort: Cohort | None = None  # the one chosen, or None for all of them
    period: str | None = None  # "2027-03", or None for all months
    everything: bool = False  # an admin looking at all cohorts also sees learners in none
    admin: bool = False  # the viewer is an admin, whose "all cohorts" view includes learners in none
    periods: list[str] = field(default_factory=list)  # the months offered in the filter

    @property
    def cohort_ids(self) -> list[int]:
        """Return the ids of the cohorts covered."""
        return [self.cohort.id] if self.cohort else [c.id for c in self.cohorts]

    @property
    def start(self) -> date | None:
        """Return the first day of the chosen month."""
        return date.fromisoformat(self.period + "-01") if self.period else None

    @property
    def end(self) -> date | None:
        """Return the last day of the chosen month."""
        if not self.start:
            return None
        following = date(self.start.year + self.start.month // 12, self.start.month % 12 + 1, 1)
        return following - timedelta(days=1)

    @property
    def key(self) -> tuple:
        """Return the view this filter asks for, as (cohort id or ALL, month or ALL)."""
        return (self.cohort.id if self.cohort else ALL, self.period or ALL)

    def as_args(self) -> dict:
        """Return the filter as query arguments (for export links)."""
        args = {}
        if self.cohort:
            args["cohort"] = self.cohort.id
        if self.period:
            args["period"] = self.period
        return args

    def time_bounds(self) -> tuple[datetime | None, datetime | None]:
        """Return the range as UTC instants: from the month's first day to the next month's first day."""
        low = datetime.combine(self.start, time.min, UTC) if self.start else None
        high = datetime.combine(self.end + timedelta(days=1), time.min, UTC) if self.end else None
        return low, high


def month_label(period: str) -> str:
    """Return "March 2027" for "2027-03"."""
    return date.fromisoformat(period + "-01").strftime("%B %Y")


def _parse_period(value: str | None) -> str | None:
    """Return a YYYY-MM month, or None when blank; raise FilterError when it is not one."""
    value = (value or "").strip()
    if not value:
        return None
    match = PERIOD.match(value)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise FilterError("Choose a month from the Period list (it looks like 2027-03).")
    return value


def build_filter(viewer: User, args) -> ReportFilter:
    """Read the cohort and month from query arguments, limited to cohorts the viewer may see."""
    cohorts = visible_cohorts(viewer)
    chosen = None
    raw = (args.get("cohort") or "").strip()
    if raw:
        chosen = next((c for c in cohorts if str(c.id) == raw), None)
        if chosen is None:
            raise FilterError("That cohort is not one of yours. Choose a cohort from the list.")
    if args.get("start") or args.get("end"):
        raise FilterError("The report covers whole months now: choose one from the Period list.")
    flt = ReportFilter(cohorts=cohorts, cohort=chosen, period=_parse_period(args.get("period")),
                       everything=viewer.is_admin and chosen is None, admin=viewer.is_admin)
    flt.periods = offered_periods(flt)
    return flt


# ---------------------------------------------------------------- the views on offer, and which may be shown


def month_of(value: datetime | None) -> str:
    """Return the YYYY-MM month of a timestamp."""
    return value.strftime("%Y-%m") if value else ""


def _in_scope(query, column, flt: ReportFilter):
    """Limit a query to everything the viewer may see (every view of the report draws from this)."""
    return query if flt.admin else query.where(column.in_([c.id for c in flt.cohorts]))


def offered_periods(flt: ReportFilter) -> list[str]:
    """Return the months, newest first, in which the viewer's cohorts have responses, joins or certificates."""
    months: set[str] = set()
    for model, stamp in ((ModuleFeedback, ModuleFeedback.created_at),
                         (CourseEvaluation, CourseEvaluation.created_at),
                         (Enrollment, Enrollment.joined_at)):
        months |= {month_of(v) for v in db.session.scalars(_in_scope(select(stamp), model.cohort_id, flt))}
    return sorted((m for m in months if m), reverse=True)


def views_of(rows: Iterable[tuple], flt: ReportFilter) -> tuple[dict, list]:
    """Return every view offered to the viewer, from (person, cohort id, month) rows: view -> its people,
    and the order to admit them in (all, then each cohort, then each month, then cohort and month)."""
    atoms: dict[tuple, set] = {}
    for person, cohort_id, month in rows:
        atoms.setdefault((cohort_id, month), set()).add(person)
    visible = {c.id for c in flt.cohorts}
    cohort_keys = [ALL, *sorted(visible)]
    month_keys = [ALL, *sorted({m for _, m in atoms})]
    views = {}
    for c in cohort_keys:
        for m in month_keys:
            members: set = set()
            for (ac, am), people in atoms.items():
                if (ac == c or (c == ALL and (flt.admin or ac in visible))) and m in (ALL, am):
                    members |= people
            views[(c, m)] = members
    order = sorted(views, key=lambda k: ((k[0] != ALL) + (k[1] != ALL), k[1] != ALL, str(k)))
    return views, order


def view_shown(rows: Iterable[tuple], flt: ReportFilter) -> bool:
    """Return whether the filter's view of these (person, cohort id, month) rows may be shown."""
    views, order = views_of(rows, flt)
    return flt.key in shown_views(views, order) if views.get(flt.key) else False


def _in_view(cohort_id: int | None, stamp: datetime | None, flt: ReportFilter) -> bool:
    """Return whether a row with this cohort and time falls in the filter's view."""
    if flt.cohort is not None and cohort_id != flt.cohort.id:
        return False
    if not flt.everything and cohort_id not in {c.id for c in flt.cohorts}:
        return False
    return flt.period is None or month_of(stamp) == flt.period


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
    """Ratings for one module: shown only when the small-cell rule lets its view be shown."""

    module_id: str
    title: str
    n: int
    skipped: int
    hidden: bool = True
    usefulness: float | None = None
    clarity: float | None = None
    comments: list[str] = field(default_factory=list)


def _rated(row: ModuleFeedback) -> bool:
    """Return whether a feedback row carries both ratings."""
    return not row.skipped and row.usefulness is not None and row.clarity is not None


def module_ratings(flt: ReportFilter) -> list[ModuleRow]:
    """Return mean usefulness and clarity per module (in course order), hiding small and complementary cells."""
    rows = db.session.scalars(_in_scope(select(ModuleFeedback), ModuleFeedback.cohort_id, flt)).all()
    by_module: dict[str, list[ModuleFeedback]] = {}
    for row in rows:
        by_module.setdefault(row.module_id, []).append(row)
    result = []
    for module in all_modules():
        everyone = by_module.get(module.id, [])
        group = [r for r in everyone if _in_view(r.cohort_id, r.created_at, flt)]
        rated = [r for r in group if _rated(r)]
        shown = view_shown(((r.user_id, r.cohort_id, month_of(r.created_at)) for r in everyone if _rated(r)), flt)
        item = ModuleRow(module.id, module.title, n=len(rated), skipped=sum(1 for r in group if r.skipped),
                         hidden=not shown)
        if shown:
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
    hidden: bool = True

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
    everyone = db.session.scalars(_in_scope(select(CourseEvaluation), CourseEvaluation.cohort_id, flt)).all()
    evaluations = [e for e in everyone if _in_view(e.cohort_id, e.created_at, flt)]
    shown = view_shown(((e.user_id, e.cohort_id, month_of(e.created_at)) for e in everyone), flt)
    summary = EvaluationSummary(n=len(evaluations), hidden=not shown)
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
    everyone_hidden: bool = True
    evaluated_hidden: bool = True


def _knowledge_shown(flt: ReportFilter, with_results: set[int]) -> tuple[bool, bool]:
    """Return whether the knowledge rows (everyone; those who also sent the evaluation) may be shown.

    Both rows of every offered filter are one family of views, since "everyone" minus "those who
    also sent the evaluation" is itself a difference that could single someone out.
    """
    joined = db.session.execute(_in_scope(select(Enrollment.user_id, Enrollment.cohort_id, Enrollment.joined_at)
                                          .join(User, User.id == Enrollment.user_id).where(User.role == "learner"),
                                          Enrollment.cohort_id, flt)).all()
    learners = [(u, c, month_of(t)) for u, c, t in joined if u in with_results]
    sent = db.session.execute(_in_scope(select(CourseEvaluation.user_id, CourseEvaluation.cohort_id,
                                               CourseEvaluation.created_at), CourseEvaluation.cohort_id, flt)).all()
    learner_views, order = views_of(learners, flt)
    sent_views, _ = views_of(((u, c, month_of(t)) for u, c, t in sent), flt)
    views = {("everyone", *k): v for k, v in learner_views.items()}
    views |= {("evaluated", *k): v & sent_views.get(k, set()) for k, v in learner_views.items()}
    shown = shown_views(views, [(variant, *k) for k in order for variant in ("everyone", "evaluated")])
    everyone, evaluated = (("everyone", *flt.key), ("evaluated", *flt.key))
    return (bool(views.get(everyone)) and everyone in shown, bool(views.get(evaluated)) and evaluated in shown)


def knowledge_block(ids: list[int], evaluations: list[CourseEvaluation], flt: ReportFilter) -> KnowledgeBlock:
    """Return knowledge gains for the learners, joined with the evaluations of the same learners."""
    users = db.session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
    results = knowledge.results_for(users)
    evaluated_ids = {e.user_id for e in evaluations}
    joined = [r for r in results if r.user_id in evaluated_ids]
    scope = db.session.scalars(_in_scope(select(User).join(Enrollment, Enrollment.user_id == User.id)
                                         .where(User.role == "learner"), Enrollment.cohort_id, flt)).unique().all()
    everyone_shown, evaluated_shown = _knowledge_shown(flt, {r.user_id for r in knowledge.results_for(scope)})
    confidence = None
    if evaluated_shown:
        joined_ids = {r.user_id for r in joined}
        rows = confidence_gains([e for e in evaluations if e.user_id in joined_ids])
        confidence = _avg([r.gain for r in rows if r.gain is not None])
    everyone, evaluated = knowledge.summarise(results), knowledge.summarise(joined)
    return KnowledgeBlock(knowledge.available(),
                          everyone if everyone_shown else knowledge.KnowledgeSummary(everyone.n, None, None, None),
                          evaluated if evaluated_shown else knowledge.KnowledgeSummary(evaluated.n, None, None, None),
                          confidence, everyone_hidden=not everyone_shown, evaluated_hidden=not evaluated_shown)


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
    return PilotReport(flt, module_ratings(flt), evaluation, completion_funnel(ids),
                       knowledge_block(ids, evaluations, flt))


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
