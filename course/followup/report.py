"""The pilot report's "use in practice" section: the 30-day follow-up answers, under the report's anonymity rule.

It follows the report's recipe for a new section (course.pilot.smallcells): one (person, cohort,
month) row per answer over everything the viewer may see, and `view_shown` decides whether the
chosen view may be shown without any difference of views singling out fewer than MIN_GROUP people.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..models.loop import FollowUp
from ..pilot.report import ReportFilter, anonymous_order, month_of, view_shown
from .services import FREQUENCIES, OBSTACLES, TOOLS


@dataclass
class PracticeUse:
    """The follow-up answers for a report view; everything stays empty when the view is hidden."""

    n: int
    hidden: bool = True
    tools: list[tuple[str, dict[str, int]]] = field(default_factory=list)  # (tool label, frequency id -> count)
    obstacles: list[tuple[str, int]] = field(default_factory=list)
    ready: int = 0  # statements the checker finds ready
    blocking: float | None = None  # mean blocking problems per statement
    statements: list[str] = field(default_factory=list)  # names masked, in an order unrelated to who wrote them
    notes: list[str] = field(default_factory=list)


def _in_view(row: FollowUp, flt: ReportFilter) -> bool:
    """Return whether an answer falls in the filter's view (its cohort and month)."""
    if flt.cohort is not None and row.cohort_id != flt.cohort.id:
        return False
    if not flt.everything and row.cohort_id not in {c.id for c in flt.cohorts}:
        return False
    return flt.period is None or month_of(row.created_at) == flt.period


def practice_use(flt: ReportFilter) -> PracticeUse:
    """Summarise the follow-up answers in the filter's view, or only count them when the view is hidden."""
    query = select(FollowUp)
    if not flt.admin:
        query = query.where(FollowUp.cohort_id.in_([c.id for c in flt.cohorts]))
    everyone = db.session.scalars(query).all()
    rows = [r for r in everyone if _in_view(r, flt)]
    shown = view_shown(((r.user_id, r.cohort_id, month_of(r.created_at)) for r in everyone), flt)
    use = PracticeUse(n=len(rows), hidden=not shown)
    if use.hidden:
        return use
    use.tools = [(label, {f: sum(1 for r in rows if r.tool_use.get(tool) == f) for f in FREQUENCIES})
                 for tool, label in TOOLS.items()]
    use.obstacles = [(label, sum(1 for r in rows if key in r.obstacles)) for key, label in OBSTACLES.items()]
    graded = [r.summary for r in rows if r.summary]
    use.ready = sum(1 for s in graded if s.get("verdict") == "ready")
    use.blocking = round(sum(int(s.get("blocking") or 0) for s in graded) / len(graded), 1) if graded else None
    use.statements = anonymous_order([r.statement for r in rows])
    use.notes = anonymous_order([r.obstacle_note for r in rows])
    return use


PRACTICE_HEADER = ["section", "item", "answer", "value", "note"]


def practice_rows(flt: ReportFilter, hidden_note: str):
    """Yield the "use in practice" section as CSV rows, exactly as the report page shows it (hidden stays hidden)."""
    use = practice_use(flt)
    if use.hidden:
        yield ["follow-ups answered", "", "", use.n, hidden_note]
        return
    yield ["follow-ups answered", "", "", use.n, ""]
    for label, counts in use.tools:
        for key, answer in FREQUENCIES.items():
            yield ["tool used with families", label, answer, counts[key], "learners"]
    for label, count in use.obstacles:
        yield ["what got in the way", label, "", count, "learners"]
    yield ["rewritten statements", "ready by the checker", "", use.ready, "statements"]
    yield ["rewritten statements", "blocking problems per statement", "", "" if use.blocking is None else use.blocking,
           "mean"]
    for text in use.notes:
        yield ["in their words", text, "", "", ""]
    for text in use.statements:
        yield ["statement from practice (names masked)", text, "", "", ""]
