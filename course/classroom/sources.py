"""Turn knowledge-check items and glossary terms into clues for the review game.

The files are read by the shared loaders (course.quizzes.loader, course.terms), which
validate them; a file they reject stops the game with the loader's file:line message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from ..quizzes.loader import Item, all_quizzes, library_for
from ..terms import Term, glossary_for
from ..vignettes import CATEGORIES, CATEGORY_LABELS, get_vignette

CASE_PREFIX = "case:"  # a game category made from a family case: "case:hill-family"


class SourceError(ValueError):
    """A knowledge-check or glossary file the game cannot use; the message names the file and line."""


@dataclass(frozen=True)
class Clue:
    """One single-answer question for the board."""

    id: str
    prompt: str
    options: tuple[str, ...]
    answer: int
    explanation: str


def _raise_problems(problems) -> None:
    """Raise a SourceError listing the loader's problems, if there are any."""
    if problems:
        raise SourceError("; ".join(str(p) for p in problems))


def _glossary_terms() -> list[Term]:
    """Return the glossary terms in file order, or [] when there is no glossary."""
    content_dir = current_app.config["CONTENT_DIR"]
    if not Path(content_dir, "glossary.yml").exists():
        return []
    glossary = glossary_for(content_dir)
    _raise_problems(glossary.problems())
    # File order, as authors wrote it: distractors are picked from the terms listed nearby.
    return sorted(glossary.terms(), key=lambda t: t.line)


def _single_clue(item: Item) -> Clue:
    """Turn a single-choice item into a clue."""
    answer = next(iter(item.correct_indexes))
    return Clue(item.id, item.stem, tuple(o.text for o in item.options), answer, item.options[answer].explanation)


def _match_clues(item: Item) -> list[Clue]:
    """Turn each pair of a match item into 'which description fits this term?'."""
    clues = []
    for index, pair in enumerate(item.pairs):
        others = [p.definition for j, p in enumerate(item.pairs) if j != index][:3]
        clues.append(Clue(f"{item.id}-{index + 1}", f"Which description fits “{pair.term}”?",
                          (pair.definition, *others), 0, pair.explanation))
    return clues


CHOOSE_ALL = re.compile(
    r"\s*\(?(?:choose|select|pick|tick) (?:all|every\w*)(?: that apply| answers? that apply)?[.)]*\s*$", re.I
)
NUMBER_WORDS = {1: "One", 2: "Two", 3: "Three"}


def _odd_one_out_clues(item: Item) -> list[Clue]:
    """Turn a choose-all item into one-tap clues: for each wrong option, 'which of these does not fit?'.

    A phone answer is one tap, so the board asks for the single option that is not right,
    shown among up to three that are.
    """
    right = [o for o in item.options if o.correct]
    wrong = [o for o in item.options if not o.correct]
    if not right:
        return []
    shown = right[:3]
    stem = CHOOSE_ALL.sub("", item.stem).rstrip()
    fits = "fits" if len(shown) == 1 else "fit"
    prompt = f"{stem} {NUMBER_WORDS[len(shown)]} of these {fits}. Which one does not?"
    return [Clue(f"{item.id}-odd{index + 1}", prompt, (odd.text, *(o.text for o in shown)), 0, odd.explanation)
            for index, odd in enumerate(wrong)]


def _sort_clues(item: Item) -> list[Clue]:
    """Turn each statement of a sort item into 'where does this go on the map?'."""
    labels = tuple(CATEGORY_LABELS.get(c, c) for c in item.columns)
    return [Clue(f"{item.id}-{index + 1}", f"Where does this go on the map? “{entry.text}”",
                 labels, item.columns.index(entry.column), entry.explanation)
            for index, entry in enumerate(item.entries)]


def all_clues() -> dict[str, list[Clue]]:
    """Return the clues each module offers: its knowledge-check items, then its glossary terms."""
    content_dir = current_app.config["CONTENT_DIR"]
    _raise_problems(library_for(content_dir).problems())
    by_module: dict[str, list[Clue]] = {}
    for quiz in all_quizzes(content_dir):
        if not quiz.module:
            continue
        for item in quiz.items:
            if item.type == "single":
                by_module.setdefault(quiz.module, []).append(_single_clue(item))
            elif item.type == "match":
                by_module.setdefault(quiz.module, []).extend(_match_clues(item))
            elif item.type == "sort":
                by_module.setdefault(quiz.module, []).extend(_sort_clues(item))
            elif item.type == "multiple":
                by_module.setdefault(quiz.module, []).extend(_odd_one_out_clues(item))
    terms = _glossary_terms()
    for module_id in {t.module for t in terms}:
        by_module.setdefault(module_id, []).extend(_glossary_clues(terms, module_id))
    return by_module


def clues_for_module(module_id: str) -> list[Clue]:
    """Return the clues one module offers."""
    return all_clues().get(module_id, [])


def _glossary_clues(terms: list[Term], module_id: str) -> list[Clue]:
    """Return 'which term means ...?' clues for the glossary terms a module teaches."""
    mine = [t for t in terms if t.module == module_id]
    clues = []
    for entry in mine:
        others = [t.term for t in terms if t.term != entry.term]
        # Prefer distractors from the same module: they are the ones learners confuse.
        same = [t.term for t in mine if t.term != entry.term]
        distractors = (same + [o for o in others if o not in same])[:3]
        clues.append(Clue(f"term-{entry.slug}", f"Which term means: “{entry.definition}”",
                          (entry.term, *distractors), 0, entry.example))
    return clues


def modules_with_clues(module_ids: list[str]) -> dict[str, int]:
    """Return how many clues each module offers, for the game picker."""
    clues = all_clues()
    return {module_id: len(clues.get(module_id, [])) for module_id in module_ids}


def case_clues(vignette_id: str) -> tuple[str, list[Clue]] | None:
    """Return (header, clues) for a family case: where each of its facts goes on the map, or None if unknown."""
    vignette = get_vignette(vignette_id)
    if vignette is None:
        return None
    labels = tuple(CATEGORY_LABELS[c] for c in CATEGORIES)
    family = vignette.title.removeprefix("The ").strip()
    clues = [Clue(fact.id, f"Where does this go on the {family}’s map? “{fact.text}”", labels,
                  CATEGORIES.index(fact.category), fact.explanation)
             for fact in vignette.mapping_facts if fact.category in CATEGORIES]
    return vignette.title, clues
