"""Score answers item by item. Every item is worth one point.

Single and multiple choice earn the point only for exactly the right choice(s); match and sort
earn the share of pairs or statements placed right, since each part is a separate judgement.
Answers are JSON-safe: single -> option index, multiple -> list of option indexes,
match -> list of definition indexes (one per pair, in file order), sort -> list of columns (one per statement).
"""
from __future__ import annotations

from dataclasses import dataclass

from .loader import Item, Quiz


@dataclass(frozen=True)
class PartResult:
    """Feedback on one option, pair or statement, shown after answering."""

    text: str  # the option, the term, or the statement
    chosen: str  # what the learner chose ("" for choice options: see `selected`)
    expected: str  # the right answer ("" for choice options)
    selected: bool  # choice items: whether the learner ticked it
    right: bool  # whether this part was judged right
    correct_option: bool  # choice items: whether the option is a correct one
    explanation: str


@dataclass(frozen=True)
class ItemResult:
    """The outcome of one item: points earned out of one, and feedback per part."""

    item: Item
    answer: object
    points: float
    parts: tuple[PartResult, ...]

    @property
    def correct(self) -> bool:
        """Return whether the item was answered fully right."""
        return self.points >= 1.0


@dataclass(frozen=True)
class QuizResult:
    """The outcome of a whole check."""

    quiz: Quiz
    items: tuple[ItemResult, ...]

    @property
    def score(self) -> float:
        """Return the points earned."""
        return round(sum(r.points for r in self.items), 2)

    @property
    def max_score(self) -> float:
        """Return the points available."""
        return float(len(self.items))

    @property
    def percent(self) -> int:
        """Return the score as a whole percentage."""
        return round(100 * self.score / self.max_score) if self.max_score else 0


def score_choice(item: Item, answer) -> ItemResult:
    """Score a single or multiple choice item: the point only for exactly the correct set."""
    chosen = {answer} if isinstance(answer, int) else set(answer or [])
    points = 1.0 if chosen == set(item.correct_indexes) else 0.0
    parts = tuple(
        PartResult(text=o.text, chosen="", expected="", selected=i in chosen, right=(i in chosen) == o.correct,
                   correct_option=o.correct, explanation=o.explanation)
        for i, o in enumerate(item.options)
    )
    return ItemResult(item, answer, points, parts)


def score_match(item: Item, answer) -> ItemResult:
    """Score a match item: the share of terms given their own definition."""
    answer = list(answer or [])
    parts = []
    for i, pair in enumerate(item.pairs):
        pick = answer[i] if i < len(answer) else None
        chosen = item.pairs[pick].definition if isinstance(pick, int) and 0 <= pick < len(item.pairs) else ""
        parts.append(PartResult(text=pair.term, chosen=chosen, expected=pair.definition, selected=pick is not None,
                                right=pick == i, correct_option=True, explanation=pair.explanation))
    return ItemResult(item, answer, _share(parts), tuple(parts))


def score_sort(item: Item, answer) -> ItemResult:
    """Score a sort item: the share of statements put in their own column."""
    answer = list(answer or [])
    parts = []
    for i, entry in enumerate(item.entries):
        pick = answer[i] if i < len(answer) else None
        parts.append(PartResult(text=entry.text, chosen=item.column_label(pick) if pick else "",
                                expected=item.column_label(entry.column), selected=pick is not None,
                                right=pick == entry.column, correct_option=True, explanation=entry.explanation))
    return ItemResult(item, answer, _share(parts), tuple(parts))


def _share(parts: list[PartResult]) -> float:
    """Return the share of parts judged right, to four places."""
    return round(sum(1 for p in parts if p.right) / len(parts), 4) if parts else 0.0


SCORERS = {"single": score_choice, "multiple": score_choice, "match": score_match, "sort": score_sort}


def score_item(item: Item, answer) -> ItemResult:
    """Score one item by its type."""
    return SCORERS[item.type](item, answer)


def score_quiz(quiz: Quiz, answers: dict, order: list[str] | None = None) -> QuizResult:
    """Score every item (in the order shown) from a mapping of item id to answer."""
    ids = order or [item.id for item in quiz.items]
    return QuizResult(
        quiz, tuple(score_item(quiz.items_by_id[i], answers.get(i)) for i in ids if i in quiz.items_by_id)
    )
