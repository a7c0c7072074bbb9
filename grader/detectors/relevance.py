"""Danger types (rules/danger_types.yaml): what a danger is about, and whether a goal's action answers it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DANGER_TYPES_FILE = Path(__file__).resolve().parent.parent / "rules" / "danger_types.yaml"


class DangerTypesError(ValueError):
    """The danger types file is malformed; the message names the file and entry."""


@dataclass(frozen=True)
class DangerType:
    """One kind of danger and the protective actions that answer it."""

    id: str
    label: str
    danger_cues: tuple[tuple[str, ...], ...]
    action_cues: tuple[tuple[str, ...], ...]
    examples_danger: tuple[str, ...]
    examples_action: tuple[str, ...]


@dataclass(frozen=True)
class DangerTypes:
    """Every danger type, plus the network actions that answer any danger."""

    types: dict[str, DangerType]
    network_actions: tuple[tuple[str, ...], ...]
    generic_objects: frozenset[str] = frozenset()  # objects too common to tie an action to a danger


def _cues(value: Any, where: str) -> tuple[tuple[str, ...], ...]:
    """Cue phrases as lower-case word tuples."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise DangerTypesError(f"{DANGER_TYPES_FILE.name}: {where}: must be a non-empty list of words or phrases")
    return tuple(tuple(words(v)) for v in value)


BREAK = "|"  # stands for punctuation between words: a cue never spans it ("while they sleep, with no alarm")


def words(text: str) -> list[str]:
    """Lower-case words of a text (letters, digits, apostrophes, hyphens), with BREAK where punctuation was."""
    out, word = [], []
    for ch in text.lower().replace("’", "'"):
        if ch.isalnum() or ch in "'-":
            word.append(ch)
            continue
        if word:
            out.append("".join(word))
            word = []
        if ch in ",.;:!?()[]\"" and out and out[-1] != BREAK:
            out.append(BREAK)
    if word:
        out.append("".join(word))
    return out


def load_danger_types(path: Path = DANGER_TYPES_FILE) -> DangerTypes:
    """Read and validate the danger types."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DangerTypesError(f"{path.name}: could not be read: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("types"), list):
        raise DangerTypesError(f"{path.name}: must have 'network_actions' and a 'types' list")
    types = {}
    for i, entry in enumerate(data["types"]):
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("id"), str)
            or not isinstance(entry.get("label"), str)
        ):
            raise DangerTypesError(f"{path.name}: types entry {i}: needs an 'id' and a 'label'")
        where = f"type {entry['id']}"
        examples = entry.get("examples") or {}
        types[entry["id"]] = DangerType(
            entry["id"],
            entry["label"],
            _cues(entry.get("danger_cues"), f"{where} danger_cues"),
            _cues(entry.get("action_cues"), f"{where} action_cues"),
            tuple(_cues(examples.get("danger"), f"{where} examples.danger") and examples["danger"]),
            tuple(_cues(examples.get("action"), f"{where} examples.action") and examples["action"]),
        )
    generic = _cues(data.get("generic_objects"), "generic_objects")
    return DangerTypes(
        types, _cues(data.get("network_actions"), "network_actions"), frozenset(w for cue in generic for w in cue)
    )


@lru_cache(maxsize=1)
def default_danger_types() -> DangerTypes:
    """The packaged danger types, loaded once."""
    return load_danger_types()


def _has(tokens: list[str], cues: Iterable[tuple[str, ...]]) -> bool:
    """True when any cue phrase occurs in the word list."""
    for cue in cues:
        n = len(cue)
        for i in range(len(tokens) - n + 1):
            if tuple(tokens[i : i + n]) == cue:
                return True
    return False


def classify(texts: Iterable[str]) -> tuple[str, ...]:
    """The danger types a learner's danger statement(s) name, in file order."""
    found = []
    table = default_danger_types()
    for text in texts:
        tokens = words(text)
        for dtype in table.types.values():
            if dtype.id not in found and _has(tokens, dtype.danger_cues):
                found.append(dtype.id)
    return tuple(found)


def answers(action_words: list[str], danger_types: tuple[str, ...]) -> bool:
    """True when a goal's action words answer one of the danger types (or hand the child to a safe adult)."""
    table = default_danger_types()
    known = [table.types[t] for t in danger_types if t in table.types]
    if not known:
        return True
    if _has(action_words, table.network_actions):
        return True
    return any(_has(action_words, t.action_cues) for t in known)


def shares_object(objects: Iterable[str], danger_words: frozenset[str]) -> bool:
    """True when an action's object is a thing the danger itself names ("turns off the heater" for a heater danger)."""
    generic = default_danger_types().generic_objects
    return any(w in danger_words and w not in generic for w in objects)


def labels(danger_types: tuple[str, ...]) -> str:
    """'supervision or safe sleep' for a hint."""
    table = default_danger_types()
    names = [table.types[t].label for t in danger_types if t in table.types]
    return " or ".join(names) if names else "the danger"
