"""The one vocabulary: kinds, components, finding categories and question types (rules/vocabulary.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

VOCABULARY_FILE = Path(__file__).parent / "rules" / "vocabulary.yaml"
SEVERITIES = ("error", "warning", "info")
INPUTS = ("child_age",)  # extra inputs a kind may take besides its text
ID = re.compile(r"^[a-z][a-z0-9_]*$")
SLUG = re.compile(r"^[a-z][a-z0-9-]*$")


class VocabularyError(ValueError):
    """The vocabulary file is malformed; the message names the file and entry."""


@dataclass(frozen=True)
class ComponentDef:
    """One required part of a kind of statement."""

    id: str
    label: str
    hint: str


@dataclass(frozen=True)
class KindDef:
    """One kind of learner text the grader checks."""

    id: str
    label: str
    plural: str
    slug: str
    numbered: bool
    description: str
    components: tuple[ComponentDef, ...]
    takes: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()  # the finding categories this kind reports; empty means all


@dataclass(frozen=True)
class CategoryDef:
    """One category of finding, as learners and trainers see it."""

    id: str
    label: str
    severity: str
    explanation: str


@dataclass(frozen=True)
class Vocabulary:
    """Everything vocabulary.yaml defines, validated."""

    kinds: dict[str, KindDef]
    categories: dict[str, CategoryDef]
    question_types: dict[str, str]


def _fail(path: Path, where: str, problem: str) -> VocabularyError:
    """An error naming the file and the entry."""
    return VocabularyError(f"{path.name}: {where}: {problem}")


def _text(entry: dict, key: str, path: Path, where: str) -> str:
    """A required non-empty string field."""
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, where, f"'{key}' must be a non-empty string")
    return value.strip()


def _ident(entry: Any, path: Path, where: str, seen: set[str]) -> str:
    """A mapping's unique lower-case id."""
    if not isinstance(entry, dict):
        raise _fail(path, where, "must be a mapping")
    ident = entry.get("id")
    if not isinstance(ident, str) or not ID.match(ident):
        raise _fail(path, where, f"'id' must be lower-case words joined by '_', got {ident!r}")
    if ident in seen:
        raise _fail(path, where, f"id {ident!r} is defined twice")
    seen.add(ident)
    return ident


def _kind(entry: Any, index: int, path: Path, seen: set[str], slugs: set[str]) -> KindDef:
    """Validate one kind entry."""
    ident = _ident(entry, path, f"kinds entry {index}", seen)
    where = f"kind {ident}"
    slug = _text(entry, "slug", path, where)
    if not SLUG.match(slug) or slug in slugs:
        raise _fail(path, where, f"'slug' must be unique lower-case words joined by '-', got {slug!r}")
    slugs.add(slug)
    if not isinstance(entry.get("numbered"), bool):
        raise _fail(path, where, "'numbered' must be true or false")
    takes = entry.get("takes", []) or []
    if not isinstance(takes, list) or any(t not in INPUTS for t in takes):
        raise _fail(path, where, f"'takes' may only list {', '.join(INPUTS)}")
    checks = entry.get("checks", []) or []
    if not isinstance(checks, list) or not all(isinstance(c, str) for c in checks):
        raise _fail(path, where, "'checks' must be a list of finding category ids")
    raw = entry.get("components")
    if not isinstance(raw, list):
        raise _fail(path, where, "'components' must be a list (empty when the kind has none)")
    parts, ids = [], set()
    for i, comp in enumerate(raw):
        cid = _ident(comp, path, f"{where} component {i}", ids)
        parts.append(
            ComponentDef(
                cid,
                _text(comp, "label", path, f"{where} component {cid}"),
                _text(comp, "hint", path, f"{where} component {cid}"),
            )
        )
    return KindDef(
        ident,
        _text(entry, "label", path, where),
        _text(entry, "plural", path, where),
        slug,
        entry["numbered"],
        _text(entry, "description", path, where),
        tuple(parts),
        tuple(takes),
        tuple(checks),
    )


def _category(entry: Any, index: int, path: Path, seen: set[str]) -> CategoryDef:
    """Validate one finding category entry."""
    ident = _ident(entry, path, f"categories entry {index}", seen)
    where = f"category {ident}"
    severity = entry.get("severity")
    if severity not in SEVERITIES:
        raise _fail(path, where, f"'severity' must be one of {', '.join(SEVERITIES)}")
    return CategoryDef(ident, _text(entry, "label", path, where), severity, _text(entry, "explanation", path, where))


def load_vocabulary(path: Path | str = VOCABULARY_FILE) -> Vocabulary:
    """Read and validate a vocabulary file; errors name the file and entry."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path.name}: could not be read: {exc}") from exc
    if not isinstance(data, dict):
        raise VocabularyError(f"{path.name}: must be a mapping with 'kinds', 'categories' and 'question_types'")
    for key in ("kinds", "categories", "question_types"):
        if not isinstance(data.get(key), list) or not data[key]:
            raise VocabularyError(f"{path.name}: '{key}' must be a non-empty list")
    seen: set[str] = set()
    slugs: set[str] = set()
    kinds = {k.id: k for k in (_kind(e, i, path, seen, slugs) for i, e in enumerate(data["kinds"]))}
    seen = set()
    categories = {c.id: c for c in (_category(e, i, path, seen) for i, e in enumerate(data["categories"]))}
    seen = set()
    types = {}
    for i, entry in enumerate(data["question_types"]):
        ident = _ident(entry, path, f"question_types entry {i}", seen)
        types[ident] = _text(entry, "label", path, f"question type {ident}")
    if "other" not in types:
        raise VocabularyError(f"{path.name}: question_types must include 'other'")
    for kind in kinds.values():
        if unknown := [c for c in kind.checks if c not in categories]:
            raise _fail(path, f"kind {kind.id}", f"'checks' names unknown categories {unknown}")
    return Vocabulary(kinds, categories, types)


VOCABULARY = load_vocabulary()
KINDS: tuple[str, ...] = tuple(VOCABULARY.kinds)
CATEGORIES: tuple[str, ...] = tuple(VOCABULARY.categories)
ERROR_CATEGORIES: tuple[str, ...] = tuple(c for c, d in VOCABULARY.categories.items() if d.severity == "error")
QUESTION_TYPES: tuple[str, ...] = tuple(VOCABULARY.question_types)


def _kind_def(kind: str) -> KindDef:
    """The definition of a kind, or a KeyError naming the known kinds."""
    try:
        return VOCABULARY.kinds[kind]
    except KeyError:
        raise KeyError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}") from None


def kind_label(kind: str, plural: bool = False) -> str:
    """'Harm Statement' (or 'Harm Statements')."""
    k = _kind_def(kind)
    return k.plural if plural else k.label


def kind_slug(kind: str) -> str:
    """The URL slug of a kind ('safety-goal')."""
    return _kind_def(kind).slug


def kind_from_slug(slug: str) -> str | None:
    """The kind whose URL slug this is, or None."""
    return next((k.id for k in VOCABULARY.kinds.values() if k.slug == slug), None)


def is_numbered(kind: str) -> bool:
    """True for kinds written 1..n per family (danger statements and safety goals)."""
    return _kind_def(kind).numbered


def reports_category(kind: str, category: str) -> bool:
    """True when findings of this category are reported for this kind."""
    checks = _kind_def(kind).checks
    return not checks or category in checks


def takes(kind: str) -> tuple[str, ...]:
    """Extra inputs the kind takes besides its text (child_questions: child_age)."""
    return _kind_def(kind).takes


def components(kind: str) -> tuple[ComponentDef, ...]:
    """The components of a kind, in order."""
    return _kind_def(kind).components


def component_label(kind: str, component: str) -> str:
    """The label of one component of a kind ('Impact on the child')."""
    for comp in _kind_def(kind).components:
        if comp.id == component:
            return comp.label
    raise KeyError(f"kind {kind!r} has no component {component!r}")


def category_label(category: str) -> str:
    """The label of a finding category ('Label instead of behaviour')."""
    try:
        return VOCABULARY.categories[category].label
    except KeyError:
        raise KeyError(f"unknown finding category {category!r}") from None


def category_severity(category: str) -> str:
    """error, warning or info."""
    return VOCABULARY.categories[category].severity


def question_type_label(question_type: str) -> str:
    """The label of a question type ('Preferred future')."""
    try:
        return VOCABULARY.question_types[question_type]
    except KeyError:
        raise KeyError(f"unknown question type {question_type!r}") from None
