"""Growth evidence for the pilot report: per kind, each accepted draft's first check against its accepted version.

Figures come from the short summaries kept on every version, as graded at the time (the report names
how many grader versions they span). Each kind's cell is shown only under the report's anonymity
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


@dataclass
class GrowthCell:
    """One kind's figures over the accepted drafts in a report view (empty while hidden)."""

    kind: str
    n: int = 0
    hidden: bool = True
    parts: int = 0  # components the kind asks for
    parts_first: float | None = None  # mean components present at the first check
    parts_accepted: float | None = None
    blocking_first: float | None = None  # mean blocking findings per draft
    blocking_accepted: float | None = None
    ready_first: int = 0  # drafts the checker found ready at the first check
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
    accepted: dict
    versions: int
    days: float
    month: str


def _mean(values: list[float]) -> float | None:
    """Return the mean to one decimal, or None for no values."""
    return round(sum(values) / len(values), 1) if values else None


def accepted_drafts(flt: ReportFilter) -> list[Accepted]:
    """Return every accepted draft with a checked first version, for learners the viewer may see."""
    reviews = db.session.scalars(
        select(Review).where(Review.decision == "accept").options(selectinload(Review.work).selectinload(Work.versions),
                                                                  selectinload(Review.version))).all()
    cohorts = dict(db.session.execute(select(Enrollment.user_id, Enrollment.cohort_id)
                                      .order_by(Enrollment.joined_at)).all())  # the latest enrollment wins
    visible = {c.id for c in flt.cohorts}
    out = []
    for review in reviews:
        work = review.work
        cohort_id = cohorts.get(work.user_id)
        if work.status != WorkStatus.ACCEPTED.value or (not flt.admin and cohort_id not in visible):
            continue
        kept = [v for v in work.versions if v.number <= review.version.number]
        checked = [v for v in kept if v.summary]
        if not checked or not review.version.summary or work.kind not in VOCABULARY.kinds:
            continue
        decided = review.decided_at or review.updated_at
        out.append(Accepted(work.user_id, cohort_id, work.kind, checked[0].summary, review.version.summary,
                            len(kept), (decided - checked[0].created_at).total_seconds() / 86400, month_of(decided)))
    return out


def _in_view(row: Accepted, flt: ReportFilter) -> bool:
    """Return whether an accepted draft falls in the filter's view."""
    if flt.cohort is not None and row.cohort_id != flt.cohort.id:
        return False
    if not flt.everything and row.cohort_id not in {c.id for c in flt.cohorts}:
        return False
    return flt.period is None or row.month == flt.period


def growth_cells(flt: ReportFilter) -> list[GrowthCell]:
    """Return one cell per kind with accepted drafts anywhere the viewer may see, in the vocabulary's order."""
    everyone = accepted_drafts(flt)
    cells = []
    for kind in VOCABULARY.kinds:
        rows = [r for r in everyone if r.kind == kind]
        if not rows:
            continue
        cell = GrowthCell(kind, n=sum(1 for r in rows if _in_view(r, flt)), parts=len(components(kind)))
        cell.hidden = not view_shown(((r.user_id, r.cohort_id, r.month) for r in rows), flt)
        chosen = [r for r in rows if _in_view(r, flt)]
        if not cell.hidden and chosen:
            present = [(present_parts(r.first), present_parts(r.accepted)) for r in chosen]
            cell.parts_first, cell.parts_accepted = _mean([a for a, _ in present]), _mean([b for _, b in present])
            cell.blocking_first = _mean([int(r.first.get("blocking") or 0) for r in chosen])
            cell.blocking_accepted = _mean([int(r.accepted.get("blocking") or 0) for r in chosen])
            cell.ready_first = sum(1 for r in chosen if r.first.get("verdict") == "ready")
            cell.ready_accepted = sum(1 for r in chosen if r.accepted.get("verdict") == "ready")
            cell.versions = _mean([r.versions for r in chosen])
            cell.days = round(median(r.days for r in chosen), 1)
            cell.grader_versions = {s.get("grader_version") or "" for r in chosen for s in (r.first, r.accepted)}
        cells.append(cell)
    return cells
