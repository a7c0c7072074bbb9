"""Read knowledge-check items and glossary terms for the review game.

The curriculum feature owns the real loaders (course.quizzes, course.glossary). Until they
land, this small adapter reads the documented YAML files itself (docs/content-format.md),
naming the file and entry in every error. Swap the two `_load_*` functions for the shared
loaders when they exist.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from flask import current_app

from ..vignettes import CATEGORY_LABELS


class SourceError(ValueError):
    """A knowledge-check or glossary entry the game cannot use; the message names the file and entry."""


@dataclass(frozen=True)
class Clue:
    """One single-answer question for the board."""

    id: str
    prompt: str
    options: tuple[str, ...]
    answer: int
    explanation: str


def _read_yaml(path: Path):
    """Read a YAML file, naming it in any error."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SourceError(f"{path.name}: not valid YAML ({exc})") from exc


def _load_quizzes() -> list[dict]:
    """Return every knowledge-check file as a dict (validated lightly: id, items)."""
    folder = Path(current_app.config["CONTENT_DIR"]) / "quizzes"
    quizzes = []
    for path in sorted(folder.glob("*.yaml")):
        data = _read_yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise SourceError(f"{path.name}: must be a mapping with an 'items' list")
        quizzes.append({**data, "_file": path.name})
    return quizzes


def _load_glossary() -> list[dict]:
    """Return the glossary entries (term, definition, module), or [] when there is no glossary."""
    path = Path(current_app.config["CONTENT_DIR"]) / "glossary.yml"
    if not path.exists():
        return []
    data = _read_yaml(path) or []
    if not isinstance(data, list):
        raise SourceError(f"{path.name}: must be a list of terms")
    for index, entry in enumerate(data):
        if not isinstance(entry, dict) or not entry.get("term") or not entry.get("definition"):
            raise SourceError(f"{path.name}: entry {index + 1} needs 'term' and 'definition'")
    return data


def _single_clue(item: dict, where: str) -> Clue:
    """Turn a single-choice item into a clue."""
    options = item.get("options") or []
    correct = [i for i, option in enumerate(options) if option.get("correct")]
    if len(correct) != 1:
        raise SourceError(f"{where}: a single-choice item needs exactly one correct option")
    chosen = options[correct[0]]
    return Clue(item["id"], str(item["prompt"]), tuple(str(o["text"]) for o in options), correct[0],
                str(chosen.get("explanation", "")))


def _match_clues(item: dict, where: str) -> list[Clue]:
    """Turn each pair of a match item into 'which description fits this term?'."""
    pairs = item.get("pairs") or []
    if len(pairs) < 2:
        raise SourceError(f"{where}: a match item needs at least two pairs")
    clues = []
    for index, pair in enumerate(pairs):
        others = [p["definition"] for j, p in enumerate(pairs) if j != index][:3]
        options = (pair["definition"], *others)
        clues.append(Clue(f"{item['id']}-{index + 1}", f"Which description fits “{pair['term']}”?",
                          tuple(str(o) for o in options), 0, str(pair.get("explanation", ""))))
    return clues


def _sort_clues(item: dict, where: str) -> list[Clue]:
    """Turn each statement of a sort item into 'where does this go on the map?'."""
    columns = item.get("columns") or []
    if not columns:
        raise SourceError(f"{where}: a sort item needs columns")
    clues = []
    for index, entry in enumerate(item.get("items") or []):
        if entry.get("column") not in columns:
            raise SourceError(f"{where}: statement {index + 1} names a column not in 'columns'")
        labels = tuple(CATEGORY_LABELS.get(c, str(c)) for c in columns)
        clues.append(Clue(f"{item['id']}-{index + 1}", f"Where does this go on the map? “{entry['text']}”",
                          labels, columns.index(entry["column"]), str(entry.get("explanation", ""))))
    return clues


def all_clues() -> dict[str, list[Clue]]:
    """Return the clues each module offers: its knowledge-check items, then its glossary terms."""
    by_module: dict[str, list[Clue]] = {}
    for quiz in _load_quizzes():
        module_id = quiz.get("module")
        if not module_id:
            continue
        for item in quiz["items"]:
            where = f"{quiz['_file']}: item {item.get('id', '?') if isinstance(item, dict) else '?'}"
            if not isinstance(item, dict) or not item.get("id"):
                raise SourceError(f"{where}: every item needs an id")
            kind = item.get("type")
            if kind == "single":
                by_module.setdefault(module_id, []).append(_single_clue(item, where))
            elif kind == "match":
                by_module.setdefault(module_id, []).extend(_match_clues(item, where))
            elif kind == "sort":
                by_module.setdefault(module_id, []).extend(_sort_clues(item, where))
            # "multiple" items need several taps on a phone; the board leaves them to the module check.
    terms = _load_glossary()
    for module_id in {t.get("module") for t in terms if t.get("module")}:
        by_module.setdefault(module_id, []).extend(_glossary_clues(terms, module_id))
    return by_module


def clues_for_module(module_id: str) -> list[Clue]:
    """Return the clues one module offers."""
    return all_clues().get(module_id, [])


def _glossary_clues(terms: list[dict], module_id: str) -> list[Clue]:
    """Return 'which term means ...?' clues for the glossary terms a module teaches."""
    mine = [t for t in terms if t.get("module") == module_id]
    clues = []
    for entry in mine:
        others = [t["term"] for t in terms if t["term"] != entry["term"]]
        # Prefer distractors from the same module: they are the ones learners confuse.
        same = [t["term"] for t in mine if t["term"] != entry["term"]]
        distractors = (same + [o for o in others if o not in same])[:3]
        slug = entry.get("slug") or entry["term"].lower().replace(" ", "-")
        clues.append(Clue(f"term-{slug}", f"Which term means: “{entry['definition']}”",
                          (str(entry["term"]), *distractors), 0, str(entry.get("example", ""))))
    return clues


def modules_with_clues(module_ids: list[str]) -> dict[str, int]:
    """Return how many clues each module offers, for the game picker."""
    clues = all_clues()
    return {module_id: len(clues.get(module_id, [])) for module_id in module_ids}
