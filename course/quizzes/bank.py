"""Item-bank quality: could a test-wise learner game a check? Statistics and the content-check rules.

The rules (run by `flask content check`, each as `file:line: message`):
- a quiz fails when the keyed option is the strictly longest option in more than 40% of its
  single-choice items (picking the longest answer would pass it);
- a choice item whose longest option is more than 2.5 times its shortest is reported as a warning;
- a `case:` must be new: no sentence of it (five words or more) may appear in a module.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..content_files import Problem
from .loader import ITEM_TYPES, Item, Quiz

LONGEST_KEY_LIMIT = 0.40  # share of single-choice items whose key may be the longest option
LENGTH_RATIO_LIMIT = 2.5  # longest option / shortest option, above which an item is reported
MIN_CASE_WORDS = 5  # shorter sentences ("She agrees.") would match module text by chance
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+")


def _lengths(item: Item) -> list[int]:
    """Return the length in characters of each option of a choice item."""
    return [len(option.text) for option in item.options]


def key_is_longest(item: Item) -> bool:
    """Return whether a single-choice item's key is strictly longer than every other option."""
    key = next(iter(item.correct_indexes))
    lengths = _lengths(item)
    return all(lengths[key] > n for i, n in enumerate(lengths) if i != key)


def key_is_shortest(item: Item) -> bool:
    """Return whether a single-choice item's key is strictly shorter than every other option."""
    key = next(iter(item.correct_indexes))
    lengths = _lengths(item)
    return all(lengths[key] < n for i, n in enumerate(lengths) if i != key)


def length_ratio(item: Item) -> float:
    """Return the longest option's length over the shortest's (1.0 for items without options)."""
    lengths = _lengths(item)
    return max(lengths) / max(min(lengths), 1) if lengths else 1.0


@dataclass(frozen=True)
class QuizStats:
    """How one check's items are built: types, case items, and where the keys' lengths fall."""

    quiz_id: str
    by_type: dict[str, int]
    cases: int
    singles: int
    longest_keys: list[str] = field(default_factory=list)  # ids of single items whose key is the longest option
    shortest_keys: list[str] = field(default_factory=list)

    @property
    def items(self) -> int:
        """Return the number of items."""
        return sum(self.by_type.values())

    @property
    def longest_share(self) -> float:
        """Return the share of single-choice items whose key is the longest option (0 without singles)."""
        return len(self.longest_keys) / self.singles if self.singles else 0.0


def quiz_stats(quiz: Quiz) -> QuizStats:
    """Return a check's item-bank statistics."""
    singles = [item for item in quiz.items if item.type == "single"]
    return QuizStats(
        quiz_id=quiz.id, by_type={kind: sum(1 for i in quiz.items if i.type == kind) for kind in ITEM_TYPES},
        cases=sum(1 for i in quiz.items if i.case), singles=len(singles),
        longest_keys=[i.id for i in singles if key_is_longest(i)],
        shortest_keys=[i.id for i in singles if key_is_shortest(i)],
    )


# ---------------------------------------------------------------- cases must be new

def normalise(text: str) -> str:
    """Return text in lower case with Markdown, punctuation and spacing reduced to single spaces."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower().replace("’", "'").replace("'", "")).split())


def case_sentences(case: str) -> list[str]:
    """Return the sentences of a case long enough to test (five words or more), normalised."""
    found = (normalise(s) for s in SENTENCE_END.split(case))
    return [s for s in found if len(s.split()) >= MIN_CASE_WORDS]


def case_overlaps(item: Item, module_texts: dict[str, str]) -> list[tuple[str, str]]:
    """Return (sentence, module path) for each sentence of the item's case found in a module text."""
    hits = []
    for sentence in case_sentences(item.case):
        path = next((p for p, text in module_texts.items() if f" {sentence} " in f" {text} "), None)
        if path:
            hits.append((sentence, path))
    return hits


def module_texts(modules) -> dict[str, str]:
    """Return each module's path with its summary and body, normalised for the case test."""
    return {module.path: normalise(f"{module.summary}\n{module.body}") for module in modules}


# ---------------------------------------------------------------- the rules

def bank_problems(quiz: Quiz, texts: dict[str, str]) -> list[Problem]:
    """Return a check's item-bank problems: longest-answer keys (error), uneven options (warning), reused cases."""
    problems = []
    stats = quiz_stats(quiz)
    if stats.singles and stats.longest_share > LONGEST_KEY_LIMIT:
        problems.append(Problem(quiz.path, min(quiz.items_by_id[i].line for i in stats.longest_keys), (
            f"the keyed option is the longest in {len(stats.longest_keys)} of {stats.singles} single-choice items "
            f"({stats.longest_share:.0%}, limit {LONGEST_KEY_LIMIT:.0%}): a learner who always picks the longest "
            f"answer would pass. Shorten those keys or lengthen the distractors ({', '.join(stats.longest_keys)})")))
    for item in quiz.items:
        if item.type in ("single", "multiple") and length_ratio(item) > LENGTH_RATIO_LIMIT:
            lengths = _lengths(item)
            problems.append(Problem(quiz.path, item.line, (
                f"item '{item.id}': its options differ in length by {length_ratio(item):.1f}x (longest {max(lengths)} "
                f"characters, shortest {min(lengths)}; limit {LENGTH_RATIO_LIMIT}x); bring them closer"), warning=True))
        for sentence, path in case_overlaps(item, texts):
            problems.append(Problem(quiz.path, item.line, (
                f"item '{item.id}': its case repeats text from {path} (\"{sentence[:60]}\"); "
                "a case is a new situation: write one that no module contains")))
    return problems


def stats_report(quizzes: list[Quiz]) -> str:
    """Return the per-quiz statistics table printed by `content check --stats`."""
    rows = [quiz_stats(quiz) for quiz in quizzes]
    head = ("check", "items", "single", "multiple", "match", "sort", "case items", "key longest", "key shortest")
    table = [head]
    for s in rows + [_total(rows)]:
        table.append((s.quiz_id, str(s.items), *(str(s.by_type[k]) for k in ITEM_TYPES),
                      f"{s.cases} ({s.cases / s.items:.0%})" if s.items else "0",
                      _share(len(s.longest_keys), s.singles), _share(len(s.shortest_keys), s.singles)))
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
             for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.insert(-1, lines[1])
    note = (f"key longest / shortest: single-choice items whose keyed option is strictly the longest / shortest "
            f"(a check fails above {LONGEST_KEY_LIMIT:.0%} longest).")
    ranks = key_ranks([item for quiz in quizzes for item in quiz.items if item.type == "single"])
    spread = ", ".join(f"{rank}: {count}" for rank, count in sorted(ranks.items()))
    ranked = (f"keys by length rank (1 = longest; a fair bank spreads them evenly): "
              f"{spread or 'no single-choice items'}.")
    return "\n".join(["Knowledge-check item bank", *lines, note, ranked])


def key_rank(item: Item) -> int:
    """Return where a single-choice key falls by length: 1 + the number of options strictly longer."""
    lengths = _lengths(item)
    key = lengths[next(iter(item.correct_indexes))]
    return 1 + sum(1 for n in lengths if n > key)


def key_ranks(items: list[Item]) -> dict[int, int]:
    """Return how many single-choice keys fall at each length rank."""
    ranks: dict[int, int] = {}
    for item in items:
        rank = key_rank(item)
        ranks[rank] = ranks.get(rank, 0) + 1
    return ranks


def _share(count: int, total: int) -> str:
    """Return 'count/total (percent)', or a dash without single-choice items."""
    return f"{count}/{total} ({count / total:.0%})" if total else "-"


def _total(rows: list[QuizStats]) -> QuizStats:
    """Return the statistics of all checks together."""
    return QuizStats(
        quiz_id="all checks", by_type={k: sum(r.by_type[k] for r in rows) for k in ITEM_TYPES},
        cases=sum(r.cases for r in rows), singles=sum(r.singles for r in rows),
        longest_keys=[i for r in rows for i in r.longest_keys],
        shortest_keys=[i for r in rows for i in r.shortest_keys],
    )


def report_for(content_dir: str | Path) -> str:
    """Return the statistics table for the checks in a content folder."""
    from .loader import library_for

    return stats_report(library_for(content_dir).all())
