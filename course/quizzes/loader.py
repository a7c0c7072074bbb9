"""Load knowledge checks from `content/quizzes/*.yaml`, validated with file:line problems, cached until files change."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from flask import current_app, has_app_context

from ..config import DEFAULTS
from ..content_files import (
    ContentLibrary,
    Problem,
    Reporter as _Reporter,
    child,
    display_path as _display_path,
    entry_lines,
    is_text as _text,
    open_mapping_file,
)
from ..module_files import OBJECTIVE_RANGE
from ..vignettes import CATEGORIES, CATEGORY_LABELS

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ITEM_TYPES = ("single", "multiple", "match", "sort")
QUIZ_FIELDS = ("id", "title", "module", "pool", "items")
COMMON_ITEM_FIELDS = ("id", "type", "objectives", "case", "prompt", "form", "pairs_with")
ITEM_FIELDS = {
    "single": (*COMMON_ITEM_FIELDS, "options"),
    "multiple": (*COMMON_ITEM_FIELDS, "options"),
    "match": (*COMMON_ITEM_FIELDS, "pairs"),
    "sort": (*COMMON_ITEM_FIELDS, "columns", "items"),
}
FORMS = ("pre", "post")  # the pool's two parallel forms
PART_FIELDS = {"options": ("text", "correct", "explanation"), "pairs": ("term", "definition", "explanation"),
               "items": ("text", "column", "explanation")}


@dataclass(frozen=True)
class Option:
    """A choice in a single or multiple choice item."""

    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class Pair:
    """A term and the definition it matches."""

    term: str
    definition: str
    explanation: str


@dataclass(frozen=True)
class SortEntry:
    """A statement and the map column it belongs in."""

    text: str
    column: str
    explanation: str


@dataclass(frozen=True)
class Item:
    """One question in a check."""

    id: str
    type: str
    objectives: tuple[int, ...]
    prompt: str
    options: tuple[Option, ...] = ()
    pairs: tuple[Pair, ...] = ()
    columns: tuple[str, ...] = ()
    entries: tuple[SortEntry, ...] = ()
    line: int = 0
    case: str = ""  # a short new case the question applies a concept to (shown above the prompt)
    form: str | None = None  # pool items only: "pre" or "post"
    pairs_with: str | None = None  # pool items only: the parallel item on the other form

    @property
    def stem(self) -> str:
        """Return the case and the prompt as one text (for places that show a question in one line)."""
        return f"{self.case} {self.prompt}" if self.case else self.prompt

    @property
    def parts(self) -> int:
        """Return how many answers the learner gives (one per pair or entry; one for choice items)."""
        if self.type == "match":
            return len(self.pairs)
        if self.type == "sort":
            return len(self.entries)
        return 1

    @property
    def correct_indexes(self) -> frozenset[int]:
        """Return the indexes of the correct options (choice items)."""
        return frozenset(i for i, o in enumerate(self.options) if o.correct)

    def column_label(self, column: str) -> str:
        """Return a map column's name."""
        return CATEGORY_LABELS.get(column, column)


@dataclass(frozen=True)
class Quiz:
    """A knowledge check: a module's check, or the key-terms pool used before and after the course."""

    id: str
    title: str
    items: tuple[Item, ...]
    path: str
    module: str | None = None
    pool: bool = False
    items_by_id: dict[str, Item] = field(default_factory=dict, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        self.items_by_id.update({item.id: item for item in self.items})

    def items_for(self, kind: str) -> tuple[Item, ...]:
        """Return the items a kind of attempt shows: one form of the pool for pre/post, every item otherwise."""
        if self.pool and kind in FORMS:
            return tuple(item for item in self.items if item.form == kind)
        return self.items


# ---------------------------------------------------------------- validation

def _objectives_ok(value) -> bool:
    """Return whether the value is a non-empty list of objective numbers 1-10."""
    return isinstance(value, list) and bool(value) and all(
        isinstance(o, int) and not isinstance(o, bool) and o in OBJECTIVE_RANGE for o in value
    )


def _check_top(data: dict, rep: _Reporter, stem: str) -> None:
    """Check the quiz's own fields."""
    for key in data:
        if key not in QUIZ_FIELDS:
            rep.add(f"unknown field '{key}' (allowed: {', '.join(QUIZ_FIELDS)})", key)
    if not _text(data.get("id")) or not ID_PATTERN.match(str(data.get("id"))):
        rep.add("id must be lower-case words joined by hyphens", "id")
    elif data["id"] != stem:
        rep.add(f"id '{data['id']}' must match the file name '{stem}'", "id")
    if not _text(data.get("title")):
        rep.add("missing required field 'title'", "title")
    pool = data.get("pool", False)
    if not isinstance(pool, bool):
        rep.add("pool must be true or false", "pool")
    if "module" in data and not _text(data["module"]):
        rep.add("module must be the id of a module", "module")
    if not pool and "module" not in data:
        rep.add("missing field 'module' (only the pre/post pool, with 'pool: true', has no module)")
    if "pass_percent" in data:  # one place decides what passes a module: the completion rules
        rep.add("pass_percent is set in content/completion.yaml (the default, or the module's own "
                "'pass_percent:'); remove it here", "pass_percent")
    items = data.get("items")
    if not isinstance(items, list) or not items:
        rep.add("items must be a non-empty list of questions", "items")


def _check_item(item, index: int, rep: _Reporter, seen: dict[str, int]) -> None:
    """Check one item: its fields, its type's parts, and that every part has an explanation."""
    where = ("items", index)
    if not isinstance(item, dict):
        rep.add(f"item #{index + 1} must be a mapping with id, type, objectives and prompt", *where)
        return
    name = f"item '{item['id']}'" if _text(item.get("id")) else f"item #{index + 1}"
    if not _text(item.get("id")):
        rep.add(f"{name} has no id", *where)
    elif not ID_PATTERN.match(item["id"]):
        rep.add(f"{name}: id must be lower-case words and numbers joined by hyphens", *where, "id")
    elif item["id"] in seen:
        rep.add(f"{name}: id is already used by item #{seen[item['id']] + 1} in this file", *where, "id")
    else:
        seen[item["id"]] = index
    kind = item.get("type")
    if kind not in ITEM_TYPES:
        rep.add(f"{name}: type must be one of {', '.join(ITEM_TYPES)}, not {kind!r}", *where, "type")
        return
    for key in item:
        if key not in ITEM_FIELDS[kind]:
            allowed = ", ".join(ITEM_FIELDS[kind])
            rep.add(f"{name}: unknown field '{key}' for a {kind} item (allowed: {allowed})", *where, key)
    if not _objectives_ok(item.get("objectives")):
        rep.add(f"{name}: objectives must be a non-empty list of objective numbers 1-10", *where, "objectives")
    if not _text(item.get("prompt")):
        rep.add(f"{name}: missing prompt", *where, "prompt")
    if "case" in item and not _text(item["case"]):
        rep.add(f"{name}: case must be a short text (2-4 sentences), or leave it out", *where, "case")
    if "form" in item and item["form"] not in FORMS:
        rep.add(f"{name}: form must be 'pre' or 'post', not {item['form']!r}", *where, "form")
    if "pairs_with" in item and not _text(item["pairs_with"]):
        rep.add(f"{name}: pairs_with must be the id of the parallel item on the other form", *where, "pairs_with")
    if kind in ("single", "multiple"):
        _check_options(item, name, where, rep)
    elif kind == "match":
        _check_pairs(item, name, where, rep)
    else:
        _check_sort(item, name, where, rep)


def _check_parts(item: dict, key: str, name: str, where: tuple, rep: _Reporter, label: str) -> list[dict]:
    """Check a list of options, pairs or sort entries has at least two well-formed parts; return the good ones."""
    parts = item.get(key)
    if not isinstance(parts, list) or len(parts) < 2:
        rep.add(f"{name}: needs a '{key}' list with at least two entries", *where, key)
        return []
    good = []
    for i, part in enumerate(parts):
        if not isinstance(part, dict):
            rep.add(f"{name}: {label} {i + 1} must be a mapping with {', '.join(PART_FIELDS[key])}", *where, key, i)
            continue
        for extra in part:
            if extra not in PART_FIELDS[key]:
                rep.add(f"{name}: {label} {i + 1} has unknown field '{extra}'", *where, key, i, extra)
        ok = True
        for field_name in PART_FIELDS[key]:
            if field_name == "correct":
                if not isinstance(part.get("correct"), bool):
                    rep.add(f"{name}: {label} {i + 1} needs 'correct: true' or 'correct: false'", *where, key, i)
                    ok = False
            elif not _text(part.get(field_name)):
                rep.add(f"{name}: {label} {i + 1} has no {field_name}", *where, key, i)
                ok = False
        if ok:
            good.append(part)
    return good


def _check_options(item: dict, name: str, where: tuple, rep: _Reporter) -> None:
    """Check a choice item: a single has exactly one correct option, a multiple at least one."""
    options = _check_parts(item, "options", name, where, rep, "option")
    if not options:
        return
    correct = sum(1 for o in options if o["correct"])
    if item["type"] == "single" and correct != 1:
        rep.add(f"{name}: a single-choice item needs exactly one correct option, found {correct}", *where, "options")
    if item["type"] == "multiple" and correct == 0:
        rep.add(f"{name}: a multiple-choice item needs at least one correct option", *where, "options")
    texts = [o["text"].strip().lower() for o in options]
    if len(set(texts)) != len(texts):
        rep.add(f"{name}: two options have the same text", *where, "options")


def _check_pairs(item: dict, name: str, where: tuple, rep: _Reporter) -> None:
    """Check a match item: terms and definitions are each unique."""
    pairs = _check_parts(item, "pairs", name, where, rep, "pair")
    for key in ("term", "definition"):
        values = [p[key].strip().lower() for p in pairs]
        if len(set(values)) != len(values):
            rep.add(f"{name}: two pairs have the same {key}", *where, "pairs")


def _check_sort(item: dict, name: str, where: tuple, rep: _Reporter) -> None:
    """Check a sort item: its columns are map columns and every entry goes in one of them."""
    columns = item.get("columns")
    if not isinstance(columns, list) or len(columns) < 2 or any(c not in CATEGORIES for c in columns):
        rep.add(f"{name}: columns must list at least two of {', '.join(CATEGORIES)}", *where, "columns")
        columns = []
    elif len(set(columns)) != len(columns):
        rep.add(f"{name}: a column is listed twice", *where, "columns")
    entries = _check_parts(item, "items", name, where, rep, "statement")
    for i, entry in enumerate(item.get("items") or []):
        if isinstance(entry, dict) and entry in entries and columns and entry["column"] not in columns:
            rep.add(f"{name}: statement {i + 1} goes in '{entry['column']}', which is not one of the item's columns",
                    *where, "items", i, "column")


def _check_forms(data: dict, rep: _Reporter) -> None:
    """Check the pool's parallel forms: every item has a form and a partner on the other form, of the same
    type and objectives, so each objective has as many pre items as post items."""
    items = [(i, item) for i, item in enumerate(data.get("items") or [])
             if isinstance(item, dict) and _text(item.get("id"))]
    if data.get("pool") is not True:
        for index, item in items:
            for key in ("form", "pairs_with"):
                if key in item:
                    rep.add(f"item '{item['id']}': '{key}' is only for the pre/post pool (a quiz with 'pool: true')",
                            "items", index, key)
        return
    by_id = {item["id"]: item for _, item in items}
    for index, item in items:
        name, where = f"item '{item['id']}'", ("items", index)
        if item.get("form") not in FORMS:
            if "form" not in item:
                rep.add(f"{name}: pool items need 'form: pre' or 'form: post'", *where)
            continue
        partner_id = item.get("pairs_with")
        if not _text(partner_id):
            if "pairs_with" not in item:
                rep.add(f"{name}: pool items need 'pairs_with: <id of the parallel item on the other form>'", *where)
            continue
        partner = by_id.get(partner_id)
        if partner is None:
            rep.add(f"{name}: pairs_with '{partner_id}' is not an item in this file", *where, "pairs_with")
            continue
        if partner.get("form") == item["form"]:
            rep.add(f"{name}: its pair '{partner_id}' is on the same form ({item['form']}); "
                    "pair a pre item with a post item", *where, "pairs_with")
        if partner.get("pairs_with") != item["id"]:
            rep.add(f"{name}: its pair '{partner_id}' pairs with {partner.get('pairs_with')!r}; "
                    f"set 'pairs_with: {item['id']}' there", *where, "pairs_with")
        if partner.get("type") != item.get("type"):
            rep.add(f"{name}: its pair '{partner_id}' is a {partner.get('type')} item; parallel items share a type",
                    *where, "pairs_with")
        if _objectives_ok(item.get("objectives")) and _objectives_ok(partner.get("objectives")) and \
                sorted(set(item["objectives"])) != sorted(set(partner["objectives"])):
            rep.add(f"{name}: its pair '{partner_id}' checks objectives {sorted(set(partner['objectives']))}, "
                    f"not {sorted(set(item['objectives']))}; parallel items check the same objectives",
                    *where, "objectives")
    counts: dict[int, dict[str, int]] = {}
    for _, item in items:
        if item.get("form") in FORMS and _objectives_ok(item.get("objectives")):
            for objective in set(item["objectives"]):
                counts.setdefault(objective, {"pre": 0, "post": 0})[item["form"]] += 1
    for objective, count in sorted(counts.items()):
        if count["pre"] != count["post"]:
            rep.add(f"objective {objective} has {count['pre']} pre item(s) and {count['post']} post item(s); "
                    "give each objective the same number on both forms", "items")


def validate_file(path: Path) -> tuple[dict | None, list[Problem]]:
    """Parse one quiz file and return its data and every problem found."""
    data, rep, problems = open_mapping_file(path, "a quiz file must be a mapping with id, title, module and items")
    if problems:
        return None, problems
    _check_top(data, rep, path.stem)
    seen: dict[str, int] = {}
    items = data.get("items")
    for index, item in enumerate(items if isinstance(items, list) else []):
        _check_item(item, index, rep, seen)
    _check_forms(data, rep)
    return data, rep.problems


def _build(data: dict, path: str, root_lines: dict[int, int]) -> Quiz:
    """Turn validated data into a Quiz."""
    items = []
    for index, raw in enumerate(data["items"]):
        items.append(Item(
            id=raw["id"], type=raw["type"], objectives=tuple(raw["objectives"]), prompt=raw["prompt"].strip(),
            options=tuple(Option(o["text"].strip(), o["correct"], o["explanation"].strip())
                          for o in raw.get("options", [])),
            pairs=tuple(Pair(p["term"].strip(), p["definition"].strip(), p["explanation"].strip())
                        for p in raw.get("pairs", [])),
            columns=tuple(raw.get("columns", ())),
            entries=tuple(SortEntry(e["text"].strip(), e["column"], e["explanation"].strip())
                          for e in raw.get("items", [])) if raw["type"] == "sort" else (),
            line=root_lines.get(index, 0), case=" ".join(str(raw.get("case") or "").split()),
            form=raw.get("form"), pairs_with=raw.get("pairs_with"),
        ))
    return Quiz(id=data["id"], title=str(data["title"]).strip(), items=tuple(items), path=path,
                module=data.get("module"), pool=bool(data.get("pool", False)))


def _item_lines(path: Path) -> dict[int, int]:
    """Return the line where each item starts, by index."""
    return entry_lines(child(yaml.compose(path.read_text(encoding="utf-8")), "items"))


# ---------------------------------------------------------------- the cached library

class QuizLibrary(ContentLibrary[Quiz]):
    """Every quiz file in a folder, by id, reloaded when any file changes."""

    def _load(self, paths: list[Path]) -> tuple[list[Quiz], list[Problem]]:
        """Validate every quiz file; return the valid quizzes by id and every problem."""
        quizzes, problems = {}, []
        for path in paths:
            data, found = validate_file(path)
            problems.extend(found)
            if data is not None and not found:
                quiz = _build(data, _display_path(path), _item_lines(path))
                quizzes[quiz.id] = quiz
        return [quizzes[k] for k in sorted(quizzes)], problems


_libraries: dict[str, QuizLibrary] = {}


def library_for(content_dir: str | os.PathLike) -> QuizLibrary:
    """Return the shared quiz library for a content folder (a per-process cache of files)."""
    key = str(Path(content_dir, "quizzes").resolve())
    if key not in _libraries:
        _libraries[key] = QuizLibrary(key)
    return _libraries[key]


def _content_dir() -> str:
    """Return the app's CONTENT_DIR, or the default outside an app."""
    return current_app.config["CONTENT_DIR"] if has_app_context() else DEFAULTS["CONTENT_DIR"]


def all_quizzes(content_dir: str | None = None) -> list[Quiz]:
    """Return every valid quiz."""
    return library_for(content_dir or _content_dir()).all()


def get_quiz(quiz_id: str, content_dir: str | None = None) -> Quiz | None:
    """Return one quiz by id, or None."""
    return library_for(content_dir or _content_dir()).get(quiz_id)
