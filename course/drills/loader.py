"""Rewrite drills: load `drills/*.yaml`, validate each entry with file:line problems, cache until files change.

Each drill names what it trains (`trains`): finding categories the prompt shows and the model answer
avoids, and components of its kind the prompt lacks and the model answer has. "Practise my habits"
picks drills by these tags, and a test grades every prompt and model answer to hold the tags true.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from grader.vocabulary import CATEGORIES, KINDS, category_label, component_label, components, kind_label, takes

from ..content_files import ContentLibrary, Problem, Reporter, display_path, is_text as _text, read_yaml

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIRED = ("id", "kind", "prompt", "focus", "hint", "model_answer")
OPTIONAL = ("vignette", "trains", "child_age")
# The grader's finding categories a drill prompt can be built around, labelled by the one vocabulary.
FOCUSES = {category: category_label(category) for category in CATEGORIES}
KIND_LABELS = {kind: kind_label(kind) for kind in KINDS}


def target_key(kind: str, tag: str) -> str:
    """Return the habit key a drill tag trains: a finding category as is, a component as 'kind:component'."""
    return tag if tag in CATEGORIES else f"{kind}:{tag}"


def target_label(key: str) -> str:
    """Return a habit key in plain words: the category's label, or 'Missing: <component>' for a component."""
    if ":" in key:
        kind, component = key.split(":", 1)
        return f"Missing from a {kind_label(kind)}: {component_label(kind, component).lower()}"
    return category_label(key)


@dataclass(frozen=True)
class Drill:
    """One sentence to rewrite, graded with its kind (and vignette roster when given)."""

    id: str
    kind: str
    prompt: str
    focus: str
    hint: str
    model_answer: str
    vignette: str | None = None
    trains: tuple[str, ...] = ()  # finding categories and components of the kind, as written in the file
    child_age: int | None = None  # the child's age, for questions for a child
    path: str = ""

    @property
    def targets(self) -> tuple[str, ...]:
        """Return the habit keys this drill trains (its focus first, then its tags)."""
        tags = dict.fromkeys((self.focus, *self.trains))
        return tuple(target_key(self.kind, tag) for tag in tags)

    @property
    def kind_label(self) -> str:
        """Return the statement kind in plain words."""
        return kind_label(self.kind)

    @property
    def focus_label(self) -> str:
        """Return the main problem in plain words."""
        return target_label(target_key(self.kind, self.focus))


def validate_file(path: Path, vignette_ids: set[str] | None, seen: dict[str, str]) -> tuple[list[Drill], list[Problem]]:
    """Parse and validate one drills file; return its valid drills and every problem."""
    shown = display_path(path)
    root, data, problems = read_yaml(path, shown)
    if problems:
        return [], problems
    rep = Reporter(shown, root)
    if data is None:
        return [], []
    if not isinstance(data, list):
        rep.add("a drills file must be a list of drills, each starting with '- id:'")
        return [], rep.problems
    drills = []
    for i, item in enumerate(data):
        before = len(rep.problems)
        _check_entry(item, i, rep, vignette_ids, seen)
        if len(rep.problems) == before:
            drills.append(Drill(**{k: item[k].strip() for k in REQUIRED}, vignette=item.get("vignette"),
                                trains=tuple(item.get("trains") or ()), child_age=item.get("child_age"), path=shown))
    return drills, rep.problems


def _check_entry(item, i: int, rep: Reporter, vignette_ids: set[str] | None, seen: dict[str, str]) -> None:
    """Check one drill entry, naming it by id in every message."""
    label = f"drill '{item['id']}'" if isinstance(item, dict) and _text(item.get("id")) else f"drill #{i + 1}"
    if not isinstance(item, dict):
        rep.add(f"{label}: must be a mapping with {', '.join(REQUIRED)}", i)
        return
    for key in REQUIRED:
        if not _text(item.get(key)):
            rep.add(f"{label}: missing '{key}'", i, key)
    for key in item:
        if key not in REQUIRED + OPTIONAL:
            rep.add(f"{label}: unknown field '{key}' (allowed: {', '.join(REQUIRED + OPTIONAL)})", i, key)
    did = item.get("id")
    if _text(did):
        if not ID_PATTERN.match(did):
            rep.add(f"{label}: id must be lower-case words joined by hyphens", i, "id")
        where = f"{rep.path}:{rep.line(i, 'id')}"
        if did in seen:
            rep.add(f"{label}: id is already used at {seen[did]}", i, "id")
        else:
            seen[did] = where
    if "kind" in item and item["kind"] not in KINDS:
        rep.add(f"{label}: kind must be one of {', '.join(KINDS)}, not {item['kind']!r}", i, "kind")
    focus = item.get("focus")
    if _text(focus) and not _valid_tag(item.get("kind"), focus):
        rep.add(f"{label}: focus must be a finding category ({', '.join(FOCUSES)}) or a component of the "
                f"drill's kind, not {focus!r}", i, "focus")
    _check_tags(item, i, rep, label)
    vignette = item.get("vignette")
    if vignette is not None and (not _text(vignette) or (vignette_ids is not None and vignette not in vignette_ids)):
        rep.add(f"{label}: vignette {vignette!r} is not a vignette id (files in vignettes/)", i, "vignette")


def _parts(kind) -> set[str]:
    """Return the component ids of a kind (none for an unknown kind)."""
    return {c.id for c in components(kind)} if kind in KINDS else set()


def _valid_tag(kind, tag) -> bool:
    """Return whether a tag is a finding category or a component of the kind."""
    return isinstance(tag, str) and (tag in CATEGORIES or tag in _parts(kind))


def _check_tags(item: dict, i: int, rep: Reporter, label: str) -> None:
    """Check `trains` (categories or the kind's components) and `child_age` (for questions for a child)."""
    kind = item.get("kind")
    parts = _parts(kind)
    tags = item.get("trains", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        rep.add(f"{label}: trains must be a list of finding categories or components, like [vague_label, impact]",
                i, "trains")
        return
    for tag in tags:
        if not _valid_tag(kind, tag):
            allowed = ", ".join(sorted(parts)) or "none for this kind"
            rep.add(f"{label}: trains {tag!r} is neither a finding category ({', '.join(CATEGORIES)}) "
                    f"nor a component of {kind!r} ({allowed})", i, "trains")
    if len(set(tags)) != len(tags):
        rep.add(f"{label}: trains lists a tag twice", i, "trains")
    age = item.get("child_age")
    needs_age = kind in KINDS and "child_age" in takes(kind)
    if needs_age and (isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 21):
        rep.add(f"{label}: questions for a child need child_age: the child's age in years (0 to 21)", i,
                "child_age" if "child_age" in item else "kind")
    elif not needs_age and age is not None:
        rep.add(f"{label}: child_age is only for questions for a child (kind child_questions)", i, "child_age")


class DrillLibrary(ContentLibrary[Drill]):
    """Every drill in a folder, in file order, reloaded when any file (or the set of vignette ids) changes."""

    def __init__(self, directory: str | os.PathLike, vignettes_dir: str | os.PathLike | None):
        self.vignettes_dir = vignettes_dir
        super().__init__(directory)

    def _extra_signature(self) -> tuple:
        """Return the vignette ids the drills point to: a drill turns valid or invalid as they change."""
        return tuple(sorted(self._vignette_ids() or ()))

    def _vignette_ids(self) -> set[str] | None:
        """Return the ids of the valid vignettes, or None when no folder is configured."""
        if self.vignettes_dir is None:
            return None
        from ..vignettes import all_vignettes

        return {v.id for v in all_vignettes(str(self.vignettes_dir))}

    def _load(self, paths: list[Path]) -> tuple[list[Drill], list[Problem]]:
        """Validate every drills file; return the valid drills in file order and every problem."""
        drills, problems, seen = [], [], {}
        if not self.directory.is_dir():
            problems.append(Problem(display_path(self.directory), 0, "the drills folder is missing"))
        ids = self._vignette_ids()
        for path in paths:
            found, found_problems = validate_file(path, ids, seen)
            drills.extend(found)
            problems.extend(found_problems)
        return drills, problems


_libraries: dict[tuple[str, str | None], DrillLibrary] = {}


def library_for(directory: str | os.PathLike, vignettes_dir: str | os.PathLike | None = None) -> DrillLibrary:
    """Return the shared drill library for a folder (a per-process cache of files)."""
    key = (str(Path(directory).resolve()), str(Path(vignettes_dir).resolve()) if vignettes_dir else None)
    if key not in _libraries:
        _libraries[key] = DrillLibrary(key[0], key[1])
    return _libraries[key]


def check_drills(directory: str | os.PathLike, vignettes_dir: str | os.PathLike | None = None) -> list[Problem]:
    """Validate every drills file in a folder (vignette ids checked against vignettes_dir when given)."""
    return library_for(directory, vignettes_dir).problems()
