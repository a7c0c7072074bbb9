"""Growth evidence for the pilot report: per kind, each accepted draft's first check, its first submitted version
and its accepted version.

Both versions of a draft are compared under the current grader (course.drills.regrade): the summary
kept with the version when the current grader made it, else the one `flask regrade-growth` stored.
Drafts not yet re-graded are left out and counted, so the report can say how many are waiting.
Each kind's cell is shown only under the report's anonymity
rule: one (learner, cohort, month of acceptance) row per accepted draft over everything the viewer
may see, asked of `course.pilot.report.view_shown`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grader.vocabulary import VOCABULARY, components, kind_label

from ..extensions import db
from ..models import Enrollment, Work, WorkStatus
from ..models.review import Review
from ..pilot.report import ReportFilter, month_of, view_shown
from .habits import present_parts
from .regrade import Waiting, current_grader, regraded, summary_now


@dataclass
class GrowthCell:
    """One kind's figures over the accepted drafts in a report view (empty while hidden)."""

    kind: str
    n: int = 0
    hidden: bool = True
    parts: int = 0  # components the kind asks for
    parts_first: float | None = None  # mean components present at the first check
    parts_submitted: float | None = None  # ... in the first version sent to the trainer
    parts_accepted: float | None = None
    blocking_first: float | None = None  # mean blocking findings per draft
    blocking_submitted: float | None = None
    blocking_accepted: float | None = None
    ready_first: int = 0  # drafts the checker found ready at the first check
    ready_submitted: int = 0
    ready_accepted: int = 0
    versions: float | None = None  # mean kept versions up to the accepted one
    days: float | None = None  # median days from the first check to acceptance
    grader_versions: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        """Return the kind in plain words."""
        return kind_label(self.kind, plural=True)


@dataclass(frozen=True)
class Accepted:
    """One accepted draft reduced to what the growth figures need."""

    user_id: int
    cohort_id: int | None
    kind: str
    first: dict
    submitted: dict  # the first version sent to the trainer (the accepted one when it was sent once)
    accepted: dict
    versions: int
    days: float
    month: str
    state: str = "ready"  # ready | waiting (not yet re-graded) | refused (the current grader refused the text)


def _mean(values: list[float]) -> float | None:
    """Return the mean to one decimal, or None for no values."""
    return round(sum(values) / len(values), 1) if values else None


def accepted_drafts(flt: ReportFilter) -> list[Accepted]:
    """Return every accepted draft with a checked first version, for learners the viewer may see.

    Summaries are the current grader's; a draft missing one is returned with state waiting or refused.
    """
    reviews = db.session.scalars(
        select(Review).where(Review.decision == "accept").options(selectinload(Review.work).selectinload(Work.versions),
                                                                  selectinload(Review.version))).all()
    cohorts = dict(db.session.execute(select(Enrollment.user_id, Enrollment.cohort_id)
                                      .order_by(Enrollment.joined_at)).all())  # the latest enrollment wins
    visible = {c.id for c in flt.cohorts}
    pairs = []
    for review in reviews:
        work = review.work
        cohort_id = cohorts.get(work.user_id)
        if work.status != WorkStatus.ACCEPTED.value or (not flt.admin and cohort_id not in visible):
            continue
        checked = [v for v in work.versions if v.number <= review.version.number and v.summary]
        if checked and review.version.summary and work.kind in VOCABULARY.kinds:
            sent = [v for v in checked if v.source == "submit"]
            pairs.append((review, cohort_id, checked[0], sent[0] if sent else review.version))
    rows = regraded(v.id for review, _, first, sent in pairs for v in (first, sent, review.version))
    out = []
    for review, cohort_id, first, sent in pairs:
        work, decided = review.work, review.decided_at or review.updated_at
        count = Waiting()
        comparable = count.add([first, sent, review.version], rows)
        state = "ready" if comparable else ("waiting" if count.waiting else "refused")
        kept = sum(1 for v in work.versions if v.number <= review.version.number)
        out.append(Accepted(work.user_id, cohort_id, work.kind, summary_now(first, rows) or {},
                            summary_now(sent, rows) or {}, summary_now(review.version, rows) or {}, kept,
                            (decided - first.created_at).total_seconds() / 86400, month_of(decided), state))
    return out


def _in_view(row: Accepted, flt: ReportFilter) -> bool:
    """Return whether an accepted draft falls in the filter's view."""
    if flt.cohort is not None and row.cohort_id != flt.cohort.id:
        return False
    if not flt.everything and row.cohort_id not in {c.id for c in flt.cohorts}:
        return False
    return flt.period is None or row.month == flt.period


@dataclass
class GrowthReport:
    """The growth section: one cell per kind, and how many drafts in the view wait for the current grader."""

    cells: list[GrowthCell]
    grader: str
    waiting: int = 0
    refused: int = 0
    compared: int = 0


def growth_report(flt: ReportFilter) -> GrowthReport:
    """Return a cell per kind with comparable accepted drafts the viewer may see, and the drafts still waiting."""
    everyone = accepted_drafts(flt)
    in_view = [r for r in everyone if _in_view(r, flt)]
    report = GrowthReport([], current_grader(), waiting=sum(1 for r in in_view if r.state == "waiting"),
                          refused=sum(1 for r in in_view if r.state == "refused"),
                          compared=sum(1 for r in in_view if r.state == "ready"))
    comparable = [r for r in everyone if r.state == "ready"]
    for kind in VOCABULARY.kinds:
        rows = [r for r in comparable if r.kind == kind]
        if not rows:
            continue
        cell = GrowthCell(kind, n=sum(1 for r in rows if _in_view(r, flt)), parts=len(components(kind)))
        cell.hidden = not view_shown(((r.user_id, r.cohort_id, r.month) for r in rows), flt)
        chosen = [r for r in rows if _in_view(r, flt)]
        if not cell.hidden and chosen:
            cell.parts_first = _mean([present_parts(r.first) for r in chosen])
            cell.parts_submitted = _mean([present_parts(r.submitted) for r in chosen])
            cell.parts_accepted = _mean([present_parts(r.accepted) for r in chosen])
            cell.blocking_first = _mean([int(r.first.get("blocking") or 0) for r in chosen])
            cell.blocking_submitted = _mean([int(r.submitted.get("blocking") or 0) for r in chosen])
            cell.blocking_accepted = _mean([int(r.accepted.get("blocking") or 0) for r in chosen])
            cell.ready_first = sum(1 for r in chosen if r.first.get("verdict") == "ready")
            cell.ready_submitted = sum(1 for r in chosen if r.submitted.get("verdict") == "ready")
            cell.ready_accepted = sum(1 for r in chosen if r.accepted.get("verdict") == "ready")
            cell.versions = _mean([r.versions for r in chosen])
            cell.days = round(median(r.days for r in chosen), 1)
            cell.grader_versions = {s.get("grader_version") or ""
                                    for r in chosen for s in (r.first, r.submitted, r.accepted)}
        report.cells.append(cell)
    return report



GROWTH_HEADER = ["kind", "accepted", "parts_asked", "parts_first_check", "parts_first_submitted", "parts_accepted",
                 "blocking_first_check", "blocking_first_submitted", "blocking_accepted", "ready_first_check",
                 "ready_first_submitted", "ready_accepted", "mean_versions", "median_days_to_acceptance",
                 "grader_version", "note"]


def _count(cell: GrowthCell, minimum: int) -> object:
    """Return a hidden cell's count as the page shows it: exact from `minimum` up, else only "fewer than"."""
    return cell.n if not cell.n or cell.n >= minimum else f"fewer than {minimum}"


def growth_rows(flt: ReportFilter, hidden_note: str):
    """Yield one CSV row per kind, exactly as the report page shows it (a hidden cell stays hidden)."""
    from ..pilot.smallcells import MIN_GROUP

    report = growth_report(flt)
    for c in report.cells:
        if c.hidden:
            yield [c.label, _count(c, MIN_GROUP), *[""] * 13, hidden_note]
        elif not c.n:
            yield [c.label, 0, *[""] * 13, "none in this selection"]
        else:
            yield [c.label, c.n, c.parts, c.parts_first, c.parts_submitted, c.parts_accepted, c.blocking_first,
                   c.blocking_submitted, c.blocking_accepted, c.ready_first, c.ready_submitted, c.ready_accepted,
                   c.versions, c.days, report.grader, ""]
    if report.waiting or report.refused:
        yield ["(not counted)", report.waiting + report.refused, *[""] * 13,
               f"{report.waiting} waiting to be re-graded with checker {report.grader}, {report.refused} refused; "
               "run flask --app wsgi regrade-growth"]
