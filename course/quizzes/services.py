"""Knowledge-check services: the order items are shown in, attempts, best and latest, and the pre/post gain."""
from __future__ import annotations

import random
import statistics
from dataclasses import dataclass

from flask import current_app
from flask_login import current_user
from sqlalchemy import select

from ..events import quiz_scored
from ..extensions import db
from ..models import Cohort, User
from ..models.quizzes import QuizAttempt
from .loader import Item, Quiz, all_quizzes, get_quiz
from .scoring import QuizResult, score_quiz

POOL_ID = "key-terms"  # the pre/post pool: content/quizzes/key-terms.yaml
KINDS = ("module", "pre", "post")


# ---------------------------------------------------------------- presentation order

def _shuffled(values: list, seed: str) -> list:
    """Return the values in an order fixed by the seed (the same learner always sees the same order)."""
    values = list(values)
    random.Random(seed).shuffle(values)
    return values


def item_order(quiz: Quiz, user_id: int, kind: str) -> list[str]:
    """Return item ids in display order: file order for module checks, two different seeded orders for pre and post."""
    ids = [item.id for item in quiz.items]
    if kind == "module":
        return ids
    pre = _shuffled(ids, f"{quiz.id}:{user_id}:pre")
    if kind == "pre":
        return pre
    post = _shuffled(ids, f"{quiz.id}:{user_id}:post")
    # Seeds can coincide on small pools; reversing guarantees the post-check looks different.
    return post if post != pre or len(ids) < 2 else pre[::-1]


def part_order(item: Item, user_id: int, kind: str) -> list[int]:
    """Return the display order of an item's options, definitions or statements (file order puts answers first)."""
    size = {"single": len(item.options), "multiple": len(item.options), "match": len(item.pairs),
            "sort": len(item.entries)}[item.type]
    return _shuffled(range(size), f"{item.id}:{user_id}:{kind}:parts")


def shown_items(quiz: Quiz, user_id: int, kind: str) -> list[tuple[Item, list[int]]]:
    """Return each item with its part order, in display order."""
    return [
        (quiz.items_by_id[i], part_order(quiz.items_by_id[i], user_id, kind)) for i in item_order(quiz, user_id, kind)
    ]


# ---------------------------------------------------------------- attempts

def record_attempt(user: User, quiz: Quiz, kind: str, answers: dict) -> tuple[QuizAttempt, QuizResult]:
    """Score and store an attempt, and announce it (the caller commits)."""
    order = item_order(quiz, user.id, kind)
    result = score_quiz(quiz, answers, order)
    attempt = QuizAttempt(
        user_id=user.id, quiz_id=quiz.id, kind=kind, answers={r.item.id: r.answer for r in result.items},
        item_scores={r.item.id: r.points for r in result.items}, item_order=order,
        score=result.score, max_score=result.max_score,
    )
    db.session.add(attempt)
    db.session.flush()
    quiz_scored.send(current_app._get_current_object(), user=user,
                     quiz_id=quiz.id if kind == "module" else f"{quiz.id}-{kind}",
                     score=result.score, max_score=result.max_score)
    return attempt, result


def result_for(attempt: QuizAttempt) -> QuizResult | None:
    """Re-score a stored attempt against the current quiz, for showing explanations."""
    quiz = get_quiz(attempt.quiz_id)
    if quiz is None:
        return None
    return score_quiz(quiz, attempt.answers, [i for i in attempt.item_order if i in quiz.items_by_id])


def attempts(user_id: int, quiz_id: str, kind: str = "module") -> list[QuizAttempt]:
    """Return a learner's attempts at a check, oldest first."""
    return list(db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz_id, QuizAttempt.kind == kind)
        .order_by(QuizAttempt.created_at, QuizAttempt.id)
    ))


@dataclass(frozen=True)
class AttemptSummary:
    """How a learner has done on one check: how many tries, the best and the latest."""

    count: int
    best: QuizAttempt | None
    latest: QuizAttempt | None


def summarize(rows: list[QuizAttempt]) -> AttemptSummary:
    """Return the count, best (highest percentage, earliest on ties) and latest of some attempts."""
    if not rows:
        return AttemptSummary(0, None, None)
    best = max(rows, key=lambda a: (a.score / a.max_score if a.max_score else 0, -a.id))
    return AttemptSummary(len(rows), best, rows[-1])


def summaries(user_id: int) -> dict[tuple[str, str], AttemptSummary]:
    """Return the learner's summary for every check they tried, keyed by (quiz id, kind)."""
    rows = db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user_id).order_by(QuizAttempt.created_at, QuizAttempt.id)
    )
    grouped: dict[tuple[str, str], list[QuizAttempt]] = {}
    for row in rows:
        grouped.setdefault((row.quiz_id, row.kind), []).append(row)
    return {key: summarize(value) for key, value in grouped.items()}


def items_answered_correctly(user_id: int) -> set[tuple[str, str]]:
    """Return (quiz id, item id) for every item the learner has answered fully right in any attempt."""
    rows = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user_id))
    return {
        (row.quiz_id, item_id) for row in rows for item_id, points in (row.item_scores or {}).items() if points >= 1
    }


def module_checks() -> list[Quiz]:
    """Return the module checks (every quiz except the pre/post pool)."""
    return [quiz for quiz in all_quizzes() if not quiz.pool]


# ---------------------------------------------------------------- pre/post gain

@dataclass(frozen=True)
class KnowledgeGain:
    """A learner's pre-course and post-course key-terms results, in percent; gain is post minus pre."""

    pre: QuizAttempt | None
    post: QuizAttempt | None
    post_latest: QuizAttempt | None
    post_best: QuizAttempt | None

    @property
    def pre_percent(self) -> int | None:
        """Return the pre-check percentage, if taken."""
        return self.pre.percent if self.pre else None

    @property
    def post_percent(self) -> int | None:
        """Return the first post-check percentage, if taken."""
        return self.post.percent if self.post else None

    @property
    def gain(self) -> int | None:
        """Return post minus pre in percentage points, once both are taken."""
        if self.pre is None or self.post is None:
            return None
        return self.post.percent - self.pre.percent


def knowledge_gain(user: User) -> KnowledgeGain:
    """Return the learner's gain: the first post-check against the pre-check (later post tries are practice)."""
    pre = attempts(user.id, POOL_ID, "pre")
    post = attempts(user.id, POOL_ID, "post")
    post_summary = summarize(post)
    return KnowledgeGain(pre[0] if pre else None, post[0] if post else None, post_summary.latest, post_summary.best)


@dataclass(frozen=True)
class CohortKnowledgeGains:
    """Cohort aggregates only (no learner is named): counts and mean/median percentages."""

    learners: int
    took_pre: int
    took_post: int
    paired: int  # learners with both, the only ones counted in the gain
    mean_pre: float | None
    mean_post: float | None
    mean_gain: float | None
    median_gain: float | None
    improved: int  # paired learners whose post score was higher than their pre score


def _mean(values: list[float]) -> float | None:
    """Return the mean to one place, or None for no values."""
    return round(statistics.fmean(values), 1) if values else None


def cohort_knowledge_gains(cohort: Cohort) -> CohortKnowledgeGains:
    """Return the cohort's pre/post aggregates for the pilot report (aggregates only)."""
    learners = [user for user in cohort.learners if user.role == "learner"]
    gains = [knowledge_gain(user) for user in learners]
    pre = [g.pre_percent for g in gains if g.pre is not None]
    post = [g.post_percent for g in gains if g.post is not None]
    deltas = [g.gain for g in gains if g.gain is not None]
    return CohortKnowledgeGains(
        learners=len(learners), took_pre=len(pre), took_post=len(post), paired=len(deltas),
        mean_pre=_mean(pre), mean_post=_mean(post), mean_gain=_mean(deltas),
        median_gain=round(float(statistics.median(deltas)), 1) if deltas else None,
        improved=sum(1 for d in deltas if d > 0),
    )


# ---------------------------------------------------------------- template helpers

def module_check_summary(module) -> dict | None:
    """Return the module's check with the signed-in learner's best and latest, for the module page."""
    if not module.quiz:
        return None
    quiz = get_quiz(module.quiz)
    if quiz is None:
        return None
    summary = (
        summarize(attempts(current_user.id, quiz.id))
        if current_user.is_authenticated
        else AttemptSummary(0, None, None)
    )
    return {"quiz": quiz, "summary": summary}


def home_checks() -> dict | None:
    """Return the pre/post pool and the signed-in learner's gain, for the course home."""
    quiz = get_quiz(POOL_ID)
    if quiz is None or not quiz.pool or not current_user.is_authenticated:
        return None
    return {"quiz": quiz, "gain": knowledge_gain(current_user)}
