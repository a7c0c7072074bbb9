"""Growth under one grader version: kept versions graded again by the current grader, as a database job.

A version's stored summary is the grader's at the time of the check. When the grader changes, a
first draft graded by 2.0 and an accepted version graded by 2.1 are not comparable, so growth uses
each version's summary under the current grader: the stored one when it already is, else a row in
regraded_summaries. Those rows are written only by `flask regrade-growth` (batched, resumable,
idempotent), never in a page request, because grading costs CPU. Versions without one are counted
as waiting, and the pages say how many.

Only the versions growth reads are re-graded: each draft's first and latest checked versions and the
version a trainer accepted. A safety goal is graded again against the learner's current danger
statements for the case (the ones kept at the time are not stored).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

import grader

from .. import grading
from ..exercises.services import grade_draft
from ..exercises.versions import summarise
from ..extensions import db
from ..models import Work, WorkVersion
from ..models.loop import RegradedSummary
from ..models.review import Review
from ..vignettes import get_vignette


def current_grader() -> str:
    """Return the grader version growth is compared under."""
    return grader.GRADER_VERSION


def endpoints(work: Work, accepted_ids: Iterable[int] = ()) -> list[WorkVersion]:
    """Return the versions of a work that growth reads: first and latest checked, the first submitted, and any
    accepted one."""
    checked = [v for v in work.versions if v.summary]
    sent = [v for v in checked if v.source == "submit"]
    wanted = {v.id for v in checked[:1] + checked[-1:] + sent[:1]} | set(accepted_ids)
    return [v for v in work.versions if v.id in wanted]


def regraded(version_ids: Iterable[int], version: str | None = None) -> dict[int, RegradedSummary]:
    """Return the re-graded rows under a grader version (the current one by default), by version id."""
    ids = list(set(version_ids))
    if not ids:
        return {}
    rows = db.session.scalars(select(RegradedSummary).where(
        RegradedSummary.version_id.in_(ids), RegradedSummary.grader_version == (version or current_grader())))
    return {row.version_id: row for row in rows}


def stored_is_current(version: WorkVersion) -> bool:
    """Return whether a version's own summary was graded by the current grader."""
    return bool(version.summary) and version.summary.get("grader_version") == current_grader()


def summary_now(version: WorkVersion, rows: dict[int, RegradedSummary]) -> dict | None:
    """Return the version's summary under the current grader, or None while it waits (or was refused)."""
    if stored_is_current(version):
        return version.summary
    row = rows.get(version.id)
    return row.summary if row is not None else None


@dataclass
class Waiting:
    """How many drafts a growth view left out, and why."""

    waiting: int = 0  # not yet re-graded under the current grader
    refused: int = 0  # the current grader refused the stored text
    grader: str = field(default_factory=current_grader)

    def add(self, versions: list[WorkVersion], rows: dict[int, RegradedSummary]) -> bool:
        """Count a draft whose versions are not all comparable; return whether all are."""
        missing = [v for v in versions if summary_now(v, rows) is None]
        if not missing:
            return True
        if any(v.id not in rows for v in missing):
            self.waiting += 1
        else:
            self.refused += 1
        return False


def _accepted_ids() -> dict[int, set[int]]:
    """Return the accepted version ids per work id."""
    out: dict[int, set[int]] = {}
    for work_id, version_id in db.session.execute(
            select(Review.work_id, Review.version_id).where(Review.decision == "accept")):
        out.setdefault(work_id, set()).add(version_id)
    return out


def pending(limit: int | None = None, retry_refused: bool = False) -> list[WorkVersion]:
    """Return versions growth reads with no summary under the current grader yet, oldest work first.

    retry_refused also returns versions the grader refused before.
    """
    accepted = _accepted_ids()
    works = db.session.scalars(select(Work).order_by(Work.id).options(selectinload(Work.versions))).all()
    out: list[WorkVersion] = []
    for work in works:
        wanted = [v for v in endpoints(work, accepted.get(work.id, ())) if not stored_is_current(v)]
        rows = regraded(v.id for v in wanted)
        out += [v for v in wanted if v.id not in rows or (retry_refused and rows[v.id].summary is None)]
        if limit is not None and len(out) >= limit:
            return out[:limit]
    return out


def regrade_version(version: WorkVersion) -> RegradedSummary:
    """Grade a version's stored text again through course.grading and keep the summary (the caller commits).

    Raises grading.GradingUnavailable when the grader itself cannot run (status 503): nothing is written,
    so the next run tries again. A text the grader refuses (400 or 413) is kept as a row with the error.
    """
    work = version.work
    vignette = get_vignette(work.vignette_id) or work.vignette_id
    summary = error = None
    try:
        report = grade_draft(work.user_id, work.kind, version.text, vignette, work.position, no_harm=version.no_harm)
        summary = summarise(report)
    except grading.GradingUnavailable as exc:
        if exc.status == 503:
            raise
        error = str(exc)
    row = db.session.scalar(select(RegradedSummary).where(RegradedSummary.version_id == version.id,
                                                          RegradedSummary.grader_version == current_grader()))
    if row is None:
        row = RegradedSummary(version_id=version.id, grader_version=current_grader())
        db.session.add(row)
    row.summary, row.error = summary, error
    db.session.flush()
    return row


def waiting_versions() -> tuple[int, int]:
    """Return (versions waiting, versions refused) under the current grader, over everything growth reads."""
    refused = len(pending(retry_refused=True)) - len(pending())
    return len(pending()), refused
