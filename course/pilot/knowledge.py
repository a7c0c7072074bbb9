"""Knowledge-check gains (pre and post key-terms check), read through one small adapter.

The quizzes feature owns the attempts. When `course.quizzes.services.knowledge_gain(user)` exists it
is the source (without it there is no data and the report says so). Its answer may be None, a
mapping or an object with numeric `pre_percent`/`post_percent` (the quizzes feature's KnowledgeGain;
`pre_score`/`post_score` or `pre`/`post` are read too, as percent 0-100 or fraction 0-1), or a plain
number (the gain in percentage points). A learner without both checks has no result.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from statistics import mean

PRE_NAMES = ("pre_percent", "pre_score", "pre")
POST_NAMES = ("post_percent", "post_score", "post")


@dataclass(frozen=True)
class KnowledgeResult:
    """One learner's pre and post check, in percent (pre/post None when only the gain is known)."""

    user_id: int
    gain: float
    pre: float | None = None
    post: float | None = None


@dataclass(frozen=True)
class KnowledgeSummary:
    """Mean pre, post and gain over learners who took both checks."""

    n: int
    mean_pre: float | None
    mean_post: float | None
    mean_gain: float | None


def _source() -> Callable:
    """Return the quizzes feature's per-learner gain function."""
    from ..quizzes.services import knowledge_gain  # imported late: quizzes imports the pilot package

    return knowledge_gain


def available() -> bool:
    """Return whether knowledge-check results can be read."""
    return _source() is not None


def _pick(value, names: tuple[str, ...]):
    """Return the first of the named fields on a mapping or object that holds a number."""
    for name in names:
        found = value.get(name) if isinstance(value, dict) else getattr(value, name, None)
        if isinstance(found, (int, float)) and not isinstance(found, bool):
            return found
    return None


def _percent(pre: float, post: float) -> tuple[float, float]:
    """Return both scores in percent (fractions are scaled when both are at most 1)."""
    if 0 <= pre <= 1 and 0 <= post <= 1:
        return pre * 100, post * 100
    return pre, post


def normalise(user_id: int, value) -> KnowledgeResult | None:
    """Turn whatever the quizzes feature returned into a KnowledgeResult (None: no pair yet)."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return KnowledgeResult(user_id, float(value))
    pre, post = _pick(value, PRE_NAMES), _pick(value, POST_NAMES)
    if pre is None or post is None:
        return None
    pre, post = _percent(float(pre), float(post))
    return KnowledgeResult(user_id, post - pre, pre, post)


def results_for(users: Iterable) -> list[KnowledgeResult]:
    """Return the knowledge results of the given users who took both checks."""
    source = _source()
    found = []
    for user in users:
        result = normalise(user.id, source(user))
        if result is not None:
            found.append(result)
    return found


def summarise(results: list[KnowledgeResult]) -> KnowledgeSummary:
    """Return the means over the results (pre and post only over results that carry them)."""
    if not results:
        return KnowledgeSummary(0, None, None, None)
    paired = [r for r in results if r.pre is not None and r.post is not None]
    return KnowledgeSummary(
        n=len(results),
        mean_pre=round(mean(r.pre for r in paired), 1) if paired else None,
        mean_post=round(mean(r.post for r in paired), 1) if paired else None,
        mean_gain=round(mean(r.gain for r in results), 1),
    )
