"""Grader agreement (with Cohen's kappa) and cohort analytics for the classroom debrief."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from grader.vocabulary import kind_label

from ..exercises.versions import version_summary
from ..extensions import db
from ..feedback import category_label
from ..models import Cohort, Enrollment, MappingAttempt, Work, WorkVersion
from ..models.review import GraderFeedback, Review
from ..vignettes import CATEGORY_LABELS, get_vignette
from .rubric import REVIEWED_KINDS
from .services import MISSED_LABELS, current_version

DECISIONS = ("accept", "return")
VERDICTS = ("ready", "revise")


def cohens_kappa(table: list[list[int]]) -> float | None:
    """Return Cohen's kappa for a square agreement table (rows: rater A, columns: rater B).

    None when it is undefined: no items, or chance agreement is already perfect."""
    size = len(table)
    if size == 0 or any(len(row) != size for row in table):
        raise ValueError("Cohen's kappa needs a square table with one row and column per category.")
    total = sum(sum(row) for row in table)
    if total == 0:
        return None
    observed = sum(table[i][i] for i in range(size)) / total
    rows = [sum(row) for row in table]
    cols = [sum(table[r][c] for r in range(size)) for c in range(size)]
    expected = sum(rows[i] * cols[i] for i in range(size)) / (total * total)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def kappa_words(kappa: float | None) -> str:
    """Describe a kappa in plain words (Landis and Koch's bands)."""
    if kappa is None:
        return "not defined yet"
    if kappa < 0:
        return "less than chance"
    for limit, words in ((0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial")):
        if kappa <= limit:
            return words
    return "almost perfect"


def learner_ids(cohorts: list[Cohort]):
    """Return a subquery of the user ids enrolled in the cohorts."""
    return select(Enrollment.user_id).where(Enrollment.cohort_id.in_([c.id for c in cohorts]))


# ---------------------------------------------------------------- grader agreement

@dataclass
class KindAgreement:
    """How one kind's trainer decisions line up with the grader's verdicts."""

    kind: str
    table: list[list[int]] = field(default_factory=lambda: [[0, 0], [0, 0]])  # rows accept/return, cols ready/revise

    @property
    def name(self) -> str:
        """Return the kind's display name."""
        return kind_label(self.kind)

    @property
    def total(self) -> int:
        """Return how many decisions were compared."""
        return sum(map(sum, self.table))

    @property
    def agreed(self) -> int:
        """Return how many decisions matched the grader."""
        return self.table[0][0] + self.table[1][1]

    @property
    def percent(self) -> int | None:
        """Return the share of matching decisions, as a whole percent."""
        return round(100 * self.agreed / self.total) if self.total else None

    @property
    def kappa(self) -> float | None:
        """Return Cohen's kappa for this kind's table."""
        return cohens_kappa(self.table)


def agreement(cohorts: list[Cohort]) -> list[KindAgreement]:
    """Compare decided reviews in the cohorts with the grader's verdict on the same version."""
    by_kind = {kind: KindAgreement(kind) for kind in REVIEWED_KINDS}
    query = select(Review, Work.kind).join(Work, Review.work_id == Work.id).where(
        Review.decision.in_(DECISIONS), Review.grader_verdict.is_not(None), Work.user_id.in_(learner_ids(cohorts))
    )
    for review, kind in db.session.execute(query):
        row = DECISIONS.index(review.decision)
        col = 0 if review.grader_verdict == "ready" else 1  # anything short of ready asks for revision
        by_kind.setdefault(kind, KindAgreement(kind)).table[row][col] += 1
    return list(by_kind.values())


def _feedback(cohorts: list[Cohort], feedback: str) -> list[GraderFeedback]:
    """Return trainers' grader feedback of one type for work in the cohorts."""
    query = (select(GraderFeedback).join(WorkVersion, GraderFeedback.version_id == WorkVersion.id)
             .join(Work, WorkVersion.work_id == Work.id)
             .where(GraderFeedback.feedback == feedback, Work.user_id.in_(learner_ids(cohorts))))
    return list(db.session.scalars(query.order_by(GraderFeedback.created_at.desc())))


def reviewed_rule_counts(cohorts: list[Cohort]) -> Counter:
    """Return how often each rule fired on versions that trainers reviewed."""
    query = (select(WorkVersion.report).join(Review, Review.version_id == WorkVersion.id)
             .join(Work, WorkVersion.work_id == Work.id).where(Work.user_id.in_(learner_ids(cohorts))))
    counts: Counter = Counter()
    for report in db.session.scalars(query):
        counts.update(f.get("rule", "") for f in (report or {}).get("findings", []))
    return counts


def not_an_issue_rules(cohorts: list[Cohort], limit: int = 10) -> list[dict]:
    """Return the rules trainers most often marked "not an issue", with how often each fired."""
    entries = _feedback(cohorts, "not_an_issue")
    fired = reviewed_rule_counts(cohorts)
    grouped: dict[str, list[GraderFeedback]] = defaultdict(list)
    for entry in entries:
        grouped[entry.rule].append(entry)
    rows = [
        {"rule": rule, "category": items[0].category.replace("_", " "), "count": len(items),
         "fired": max(fired.get(rule, 0), len(items)), "examples": sorted({i.quote for i in items if i.quote})[:3]}
        for rule, items in grouped.items()
    ]
    return sorted(rows, key=lambda r: (-r["count"], r["rule"]))[:limit]


def missed_problems(cohorts: list[Cohort]) -> tuple[list[dict], list[GraderFeedback]]:
    """Return counts of problems trainers added that the grader missed, by category, and the entries."""
    entries = _feedback(cohorts, "missed")
    counts = Counter(e.category for e in entries)
    rows = [{"category": MISSED_LABELS.get(cat, cat), "count": n} for cat, n in counts.most_common()]
    return rows, entries


# ---------------------------------------------------------------- cohort debrief

def _latest_versions(cohort: Cohort) -> list[tuple[Work, WorkVersion]]:
    """Return each of the cohort's submitted works with its latest submitted version."""
    works = db.session.scalars(select(Work).where(Work.user_id.in_(learner_ids([cohort]))).order_by(Work.id))
    pairs = []
    for work in works:
        version = current_version(work)
        if version is not None:
            pairs.append((work, version))
    return pairs


def finding_counts(cohort: Cohort) -> list[dict]:
    """Return the grader's findings across the cohort's latest submissions, by category, most frequent first."""
    counts: Counter = Counter()
    words: dict[str, Counter] = defaultdict(Counter)
    for _work, version in _latest_versions(cohort):
        summary = version_summary(version) or {}
        for category, n in summary.get("categories", {}).items():
            counts[category] += n
            for word in summary.get("examples", {}).get(category, []):
                words[category][word.lower()] += 1
    return [
        {"label": category_label(cat), "count": n,
         "examples": ", ".join(w for w, _ in words[cat].most_common(3) if w)}
        for cat, n in counts.most_common()
    ]


def missing_components(cohort: Cohort) -> dict[str, list[dict]]:
    """Return, per kind, how many latest submissions lacked each required part."""
    result: dict[str, list[dict]] = {}
    by_kind: dict[str, list[WorkVersion]] = defaultdict(list)
    for work, version in _latest_versions(cohort):
        by_kind[work.kind].append(version)
    for kind in REVIEWED_KINDS:
        versions = by_kind.get(kind, [])
        missing: Counter = Counter()
        labels: dict[str, str] = {}
        for version in versions:
            summary = version_summary(version) or {}
            labels |= summary.get("component_labels", {})
            missing.update(summary.get("components", {}).get("missing", []))
        if versions and labels:
            result[kind] = [
                {"label": labels[cid], "count": missing.get(cid, 0), "of": len(versions)}
                for cid in sorted(labels, key=lambda c: -missing.get(c, 0))
            ]
    return result


def misplaced_facts(cohort: Cohort, limit: int = 8) -> list[dict]:
    """Return the mapping facts most often put in the wrong column, from each learner's latest attempt."""
    attempts = db.session.scalars(
        select(MappingAttempt).where(MappingAttempt.user_id.in_(learner_ids([cohort])))
        .order_by(MappingAttempt.created_at.desc(), MappingAttempt.id.desc())
    )
    latest: dict[tuple[int, str], MappingAttempt] = {}
    for attempt in attempts:
        latest.setdefault((attempt.user_id, attempt.vignette_id), attempt)
    rows = []
    by_vignette: dict[str, list[MappingAttempt]] = defaultdict(list)
    for attempt in latest.values():
        by_vignette[attempt.vignette_id].append(attempt)
    for vignette_id, group in by_vignette.items():
        vignette = get_vignette(vignette_id)
        if vignette is None:
            continue
        for fact in vignette.mapping_facts:
            wrong = Counter(
                a.placements.get(fact.id) for a in group if a.placements.get(fact.id) not in (None, fact.category)
            )
            placed = sum(1 for a in group if fact.id in a.placements)
            if wrong:
                rows.append({"label": fact.text, "vignette": vignette.title, "correct": fact.category_label,
                             "count": sum(wrong.values()), "of": placed,
                             "often": CATEGORY_LABELS.get(wrong.most_common(1)[0][0], "another column")})
    return sorted(rows, key=lambda r: (-r["count"], r["label"]))[:limit]
