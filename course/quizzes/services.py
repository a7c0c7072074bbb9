"""Knowledge-check services: an attempt's page, attempts, best and latest, when the post check opens, and the
pre/post gain."""
from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import current_app
from flask_login import current_user
from sqlalchemy import func, select

from ..completion import services as rules
from ..completion.rules import POOL_ID  # noqa: F401  (the pre/post pool; quiz pages read it here)
from ..events import quiz_scored
from ..extensions import db
from ..models import Cohort, User
from ..models.quizzes import QuizAttempt
from ..module_files import Module
from . import spacing
from .intervals import MIN_N, Interval, mean_interval
from .loader import Quiz, all_quizzes, get_quiz
from .presentation import ShownItem, attempt_id, shown_items
from .scoring import QuizResult, score_quiz

KINDS = ("module", "pre", "post")


# ---------------------------------------------------------------- one attempt's page

def next_attempt_number(user_id: int, quiz_id: str, kind: str) -> int:
    """Return the number of the learner's next attempt at a check of a kind (1 for the first)."""
    count = db.session.scalar(select(func.count()).select_from(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz_id, QuizAttempt.kind == kind))
    return (count or 0) + 1


def attempt_page(quiz: Quiz, user_id: int, kind: str, number: int | None = None) -> tuple[int, list[ShownItem]]:
    """Return an attempt's number and its items as shown (the next attempt unless a number is given)."""
    number = number or next_attempt_number(user_id, quiz.id, kind)
    return number, shown_items(quiz, kind, attempt_id(user_id, quiz.id, kind, number))


# ---------------------------------------------------------------- attempts

def record_attempt(user: User, quiz: Quiz, kind: str, answers: dict,
                   order: list[str] | None = None) -> tuple[QuizAttempt, QuizResult]:
    """Score and store an attempt over the items shown (default: the kind's items in file order), and announce it.

    The caller commits. For the pool, pre scores the pre form and post the post form.
    """
    order = order or [item.id for item in quiz.items_for(kind)]
    result = score_quiz(quiz, answers, order)
    attempt = QuizAttempt(
        user_id=user.id, quiz_id=quiz.id, kind=kind, answers={r.item.id: r.answer for r in result.items},
        item_scores={r.item.id: r.points for r in result.items}, item_order=order,
        score=result.score, max_score=result.max_score,
    )
    db.session.add(attempt)
    db.session.flush()
    if kind == "module":  # the pre/post checks measure the course; only module checks feed the review
        spacing.schedule_missed(user.id, quiz.id, attempt.item_scores)
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


# ---------------------------------------------------------------- the post-course check waits for the course

@dataclass(frozen=True)
class PostCheckGate:
    """Whether the post-course check is open for a learner: it opens once every required module is complete."""

    required: tuple[Module, ...]
    missing: tuple[Module, ...]  # required modules not yet complete, in course order

    @property
    def open(self) -> bool:
        """Return whether the post-course check may be taken."""
        return not self.missing

    @property
    def done(self) -> int:
        """Return how many required modules are complete."""
        return len(self.required) - len(self.missing)


def required_modules() -> list[Module]:
    """Return the modules the post-course check waits for: the ones the completion rules require."""
    return rules.required_modules()


def completed_module_ids(user: User) -> set[str]:
    """Return the ids of the modules the learner has completed under the completion rules (from their records)."""
    return rules.completed_module_ids(user)


def post_check_gate(user: User, required: Callable[[], Iterable[Module]] = required_modules,
                    completed: Callable[[User], set[str]] = completed_module_ids) -> PostCheckGate:
    """Return whether the learner may take the post-course check: only after the last required module.

    `required` and `completed` are the seams for the course's completion rules: pass the rules' own
    list of required modules and their test of completion, and this rule stays the same.
    """
    modules = tuple(required())
    done = completed(user)
    return PostCheckGate(modules, tuple(m for m in modules if m.id not in done))


# ---------------------------------------------------------------- pre/post gain

@dataclass(frozen=True)
class KnowledgeGain:
    """A learner's pre-course and post-course key-terms results, in percent; gain is post minus pre.

    The two checks use parallel forms: each pre item has a post item of the same type and objective.
    `pair_gains` holds, per pair, the post item's points minus the pre item's, in percentage points; the
    95% interval of the gain is the paired t interval over them.
    """

    pre: QuizAttempt | None
    post: QuizAttempt | None
    post_latest: QuizAttempt | None
    post_best: QuizAttempt | None
    pair_gains: tuple[float, ...] = ()

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

    @property
    def interval(self) -> Interval | None:
        """Return the gain's 95% confidence interval over the item pairs (None below MIN_N pairs)."""
        return mean_interval(list(self.pair_gains)) if self.gain is not None else None

    @property
    def min_n(self) -> int:
        """Return the fewest pairs (or learners) an interval needs."""
        return MIN_N


def pair_gains(pool: Quiz | None, pre: QuizAttempt, post: QuizAttempt) -> tuple[float, ...]:
    """Return, for each pre item with its parallel post item in both attempts, the change in points x 100."""
    if pool is None:
        return ()
    gains = []
    for item in pool.items_for("pre"):
        if item.pairs_with and item.id in (pre.item_scores or {}) and item.pairs_with in (post.item_scores or {}):
            gains.append(round(100 * (post.item_scores[item.pairs_with] - pre.item_scores[item.id]), 2))
    return tuple(gains)


def knowledge_gain(user: User) -> KnowledgeGain:
    """Return the learner's gain: the first post-check against the pre-check (later post tries are practice)."""
    pre = attempts(user.id, POOL_ID, "pre")
    post = attempts(user.id, POOL_ID, "post")
    post_summary = summarize(post)
    pairs = pair_gains(get_quiz(POOL_ID), pre[0], post[0]) if pre and post else ()
    return KnowledgeGain(pre[0] if pre else None, post[0] if post else None, post_summary.latest, post_summary.best,
                         pairs)


@dataclass(frozen=True)
class CohortKnowledgeGains:
    """Cohort aggregates only (no learner is named): counts, mean/median percentages and the gain's interval."""

    learners: int
    took_pre: int
    took_post: int
    paired: int  # learners with both, the only ones counted in the gain
    mean_pre: float | None
    mean_post: float | None
    mean_gain: float | None
    median_gain: float | None
    improved: int  # paired learners whose post score was higher than their pre score
    interval: Interval | None = None  # paired t interval of the mean gain, from MIN_N paired learners
    min_n: int = MIN_N


def _mean(values: list[float]) -> float | None:
    """Return the mean to one place, or None for no values."""
    return round(statistics.fmean(values), 1) if values else None


def cohort_knowledge_gains(cohort: Cohort) -> CohortKnowledgeGains:
    """Return the cohort's pre/post aggregates (aggregates only), with the gain's interval from 5 paired learners."""
    learners = [user for user in cohort.learners if user.role == "learner"]
    gains = [knowledge_gain(user) for user in learners]
    pre = [g.pre_percent for g in gains if g.pre is not None]
    post = [g.post_percent for g in gains if g.post is not None]
    deltas = [g.gain for g in gains if g.gain is not None]
    return CohortKnowledgeGains(
        learners=len(learners), took_pre=len(pre), took_post=len(post), paired=len(deltas),
        mean_pre=_mean(pre), mean_post=_mean(post), mean_gain=_mean(deltas),
        median_gain=round(float(statistics.median(deltas)), 1) if deltas else None,
        improved=sum(1 for d in deltas if d > 0), interval=mean_interval([float(d) for d in deltas]),
    )


def cohort_gain_for(user: User) -> CohortKnowledgeGains | None:
    """Return the aggregates of the learner's cohort, or None when the learner is in no cohort."""
    cohort = user.cohort
    return cohort_knowledge_gains(cohort) if cohort is not None else None


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
    """Return the pre/post pool, the learner's gain and whether the post check is open, for the course home."""
    quiz = get_quiz(POOL_ID)
    if quiz is None or not quiz.pool or not current_user.is_authenticated:
        return None
    return {"quiz": quiz, "gain": knowledge_gain(current_user), "gate": post_check_gate(current_user),
            "review": spacing.overview(current_user.id)}
