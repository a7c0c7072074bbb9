"""Practice vignettes: load `vignettes/*.yaml`, validate them with file:line problems, cache until files change."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .config import REPO_ROOT
from .content_files import (
    ContentLibrary,
    Problem,
    Reporter as _Reporter,
    display_path as _display_path,
    is_text as _text,
    open_mapping_file,
)

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ROLES = ("child", "caregiver", "network", "professional")
CATEGORIES = ("harm", "danger", "complicating", "strength", "safety", "grey")
CATEGORY_LABELS = {
    "harm": "Harm",
    "danger": "Danger",
    "complicating": "Complicating factors",
    "strength": "Strengths",
    "safety": "Existing safety",
    "grey": "Grey area",
}
KINDS = ("harm", "danger", "safety_goal", "sf_question")
REQUIRED = ("id", "title", "summary", "content_notes", "danger_only", "roster", "narrative",
            "mapping_facts", "scale_guidance", "prompts", "exemplars")
PERSON_FIELDS = ("name", "short", "role", "age", "pronouns", "relation")
FACT_FIELDS = ("id", "text", "category", "explanation")
FACT_RANGE = (12, 16)
NARRATIVE_WORDS = (350, 700)
DANGER_RANGE = (1, 3)
QUESTION_RANGE = (3, 5)


@dataclass(frozen=True)
class Person:
    """Someone in a vignette: the grader reads names, roles and pronouns from the roster."""

    name: str
    short: str
    role: str
    age: int | str | None = None
    pronouns: str = ""
    relation: str = ""


@dataclass(frozen=True)
class Fact:
    """One piece of information the learner places on the map."""

    id: str
    text: str
    category: str
    explanation: str

    @property
    def category_label(self) -> str:
        """Return the map column's name."""
        return CATEGORY_LABELS[self.category]


@dataclass
class Vignette:
    """A fictional family case with its map facts, prompts and trainer exemplars."""

    id: str
    title: str
    summary: str
    content_notes: list[str]
    danger_only: bool
    roster: list[Person]
    narrative: str
    mapping_facts: list[Fact]
    scale_guidance: str
    prompts: dict[str, str]
    exemplars: dict[str, list[str]]  # kind -> texts (harm: [] when danger_only)
    path: str = ""
    facts_by_id: dict[str, Fact] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.facts_by_id = {f.id: f for f in self.mapping_facts}

    @property
    def children(self) -> list[Person]:
        """Return the children in the roster."""
        return [p for p in self.roster if p.role == "child"]


# ---------------------------------------------------------------- validation

def _entry(kind: str, index: int, item) -> str:
    """Name a list entry for messages, by its id or name when it has one."""
    if isinstance(item, dict):
        for key in ("id", "name"):
            if _text(item.get(key)):
                return f"{kind} '{item[key]}'"
    return f"{kind} #{index + 1}"


def _check_top(data: dict, rep: _Reporter, stem: str) -> None:
    """Check required top-level fields and their simple types."""
    for key in REQUIRED:
        if key not in data or data[key] is None and key not in ("exemplars",):
            rep.add(f"missing required field '{key}'", key)
    for key in data:
        if key not in REQUIRED:
            rep.add(f"unknown field '{key}' (allowed: {', '.join(REQUIRED)})", key)
    vid = data.get("id")
    if "id" in data:
        if not isinstance(vid, str) or not ID_PATTERN.match(vid):
            rep.add("id must be lower-case words joined by hyphens, like 'hill-family'", "id")
        elif vid != stem:
            rep.add(f"id '{vid}' must match the file name '{stem}.yaml'", "id")
    for key in ("title", "summary", "narrative", "scale_guidance"):
        if key in data and data[key] is not None and not _text(data[key]):
            rep.add(f"{key} must be non-empty text", key)
    if "danger_only" in data and not isinstance(data["danger_only"], bool):
        rep.add("danger_only must be true or false", "danger_only")
    notes = data.get("content_notes")
    if "content_notes" in data and (not isinstance(notes, list) or not all(_text(n) for n in notes)):
        rep.add("content_notes must be a list of short phrases (use [] when there are none)", "content_notes")
    if _text(data.get("narrative")):
        words = len(data["narrative"].split())
        low, high = NARRATIVE_WORDS
        if not low <= words <= high:
            rep.add(f"narrative has {words} words; write {low}-{high}", "narrative")


def _check_roster(data: dict, rep: _Reporter) -> None:
    """Check each person in the roster."""
    roster = data.get("roster")
    if "roster" not in data or roster is None:
        return
    if not isinstance(roster, list) or not roster:
        rep.add("roster must be a list of people", "roster")
        return
    names: set[str] = set()
    for i, person in enumerate(roster):
        label = _entry("roster entry", i, person)
        if not isinstance(person, dict):
            rep.add(f"{label}: must be a mapping with name, short, role", "roster", i)
            continue
        for key in ("name", "short", "role"):
            if not _text(person.get(key)):
                rep.add(f"{label}: missing '{key}'", "roster", i, key)
        for key in person:
            if key not in PERSON_FIELDS:
                rep.add(f"{label}: unknown field '{key}' (allowed: {', '.join(PERSON_FIELDS)})", "roster", i, key)
        if "role" in person and person["role"] not in ROLES:
            rep.add(f"{label}: role must be one of {', '.join(ROLES)}, not {person['role']!r}", "roster", i, "role")
        age = person.get("age")
        if age is not None and not (isinstance(age, int) and not isinstance(age, bool) and age >= 0) and not _text(age):
            rep.add(f"{label}: age must be a whole number of years or text like '3 months'", "roster", i, "age")
        if "pronouns" in person and not (_text(person["pronouns"]) and "/" in person["pronouns"]):
            rep.add(f"{label}: pronouns must look like 'she/her'", "roster", i, "pronouns")
        name = person.get("name")
        if _text(name):
            if name in names:
                rep.add(f"{label}: name is listed twice", "roster", i, "name")
            names.add(name)
    if not any(isinstance(p, dict) and p.get("role") == "child" for p in roster):
        rep.add("roster needs at least one person with role 'child'", "roster")
    if not any(isinstance(p, dict) and p.get("role") == "caregiver" for p in roster):
        rep.add("roster needs at least one person with role 'caregiver'", "roster")


def _check_facts(data: dict, rep: _Reporter) -> None:
    """Check the mapping facts: count, ids, categories and explanations."""
    facts = data.get("mapping_facts")
    if "mapping_facts" not in data or facts is None:
        return
    if not isinstance(facts, list):
        rep.add("mapping_facts must be a list", "mapping_facts")
        return
    low, high = FACT_RANGE
    if not low <= len(facts) <= high:
        rep.add(f"mapping_facts has {len(facts)} facts; write {low}-{high}", "mapping_facts")
    seen: set[str] = set()
    for i, fact in enumerate(facts):
        label = _entry("mapping fact", i, fact)
        if not isinstance(fact, dict):
            rep.add(f"{label}: must be a mapping with id, text, category, explanation", "mapping_facts", i)
            continue
        for key in FACT_FIELDS:
            if not _text(fact.get(key)):
                rep.add(f"{label}: missing '{key}'", "mapping_facts", i, key)
        for key in fact:
            if key not in FACT_FIELDS:
                rep.add(f"{label}: unknown field '{key}' (allowed: {', '.join(FACT_FIELDS)})", "mapping_facts", i, key)
        if "category" in fact and fact["category"] not in CATEGORIES:
            rep.add(f"{label}: category must be one of {', '.join(CATEGORIES)}, not {fact['category']!r}",
                    "mapping_facts", i, "category")
        fid = fact.get("id")
        if _text(fid):
            if fid in seen:
                rep.add(f"{label}: id is used twice", "mapping_facts", i, "id")
            seen.add(fid)
    used = {f.get("category") for f in facts if isinstance(f, dict) and isinstance(f.get("category"), str)}
    missing = [c for c in CATEGORIES if c not in used and not (c == "harm" and data.get("danger_only"))]
    if missing:
        rep.add(f"mapping_facts has nothing in: {', '.join(missing)} (every column needs at least one fact)",
                "mapping_facts")


def _check_prompts(data: dict, rep: _Reporter) -> None:
    """Check that there is a prompt for each kind of statement."""
    prompts = data.get("prompts")
    if "prompts" not in data or prompts is None:
        return
    if not isinstance(prompts, dict):
        rep.add(f"prompts must be a mapping with {', '.join(KINDS)}", "prompts")
        return
    for kind in KINDS:
        if not _text(prompts.get(kind)):
            rep.add(f"prompts: missing '{kind}'", "prompts", kind)
    for key in prompts:
        if key not in KINDS:
            rep.add(f"prompts: unknown kind '{key}' (allowed: {', '.join(KINDS)})", "prompts", key)


def _check_exemplars(data: dict, rep: _Reporter) -> None:
    """Check the trainer exemplars: harm null exactly when danger_only, paired danger and goals."""
    ex = data.get("exemplars")
    if "exemplars" not in data:
        return
    if not isinstance(ex, dict):
        rep.add(f"exemplars must be a mapping with {', '.join(KINDS)}", "exemplars")
        return
    for key in ex:
        if key not in KINDS:
            rep.add(f"exemplars: unknown kind '{key}' (allowed: {', '.join(KINDS)})", "exemplars", key)
    danger_only = data.get("danger_only") is True
    harm = ex.get("harm")
    if danger_only and harm is not None:
        rep.add("exemplars: harm must be null when danger_only is true (no harm statement is due)", "exemplars", "harm")
    if not danger_only and not _text(harm):
        rep.add("exemplars: harm must be a statement (or set danger_only: true)", "exemplars", "harm")
    counts = {}
    for kind, (low, high) in (("danger", DANGER_RANGE), ("safety_goal", DANGER_RANGE), ("sf_question", QUESTION_RANGE)):
        items = ex.get(kind)
        if not isinstance(items, list) or not all(_text(t) for t in items):
            rep.add(f"exemplars: {kind} must be a list of statements", "exemplars", kind)
            continue
        counts[kind] = len(items)
        if not low <= len(items) <= high:
            rep.add(f"exemplars: {kind} has {len(items)} entries; write {low}-{high}", "exemplars", kind)
    if "danger" in counts and "safety_goal" in counts and counts["danger"] != counts["safety_goal"]:
        rep.add(f"exemplars: {counts['danger']} danger statements but {counts['safety_goal']} safety goals; "
                "write one safety goal per danger statement, in the same order", "exemplars", "safety_goal")


def validate_file(path: Path) -> tuple[dict | None, list[Problem]]:
    """Parse and validate one vignette file; return its data (None when unusable) and problems."""
    data, rep, problems = open_mapping_file(path, "a vignette file must be a mapping of fields (id, title, roster ...)")
    if problems:
        return None, problems
    _check_top(data, rep, path.stem)
    _check_roster(data, rep)
    _check_facts(data, rep)
    _check_prompts(data, rep)
    _check_exemplars(data, rep)
    return data, rep.problems


def _build(data: dict, path: str) -> Vignette:
    """Turn validated data into a Vignette."""
    ex = data["exemplars"]
    return Vignette(
        id=data["id"], title=data["title"].strip(), summary=data["summary"].strip(),
        content_notes=[n.strip() for n in data["content_notes"]], danger_only=data["danger_only"],
        roster=[Person(**{k: p.get(k) if k == "age" else str(p.get(k) or "").strip() for k in PERSON_FIELDS})
                for p in data["roster"]],
        narrative=data["narrative"],
        mapping_facts=[Fact(**{k: str(f[k]).strip() for k in FACT_FIELDS}) for f in data["mapping_facts"]],
        scale_guidance=data["scale_guidance"].strip(),
        prompts={k: data["prompts"][k].strip() for k in KINDS},
        exemplars={
            "harm": [ex["harm"].strip()] if _text(ex.get("harm")) else [],
            **{k: [t.strip() for t in ex[k]] for k in ("danger", "safety_goal", "sf_question")},
        },
        path=path,
    )


# ---------------------------------------------------------------- the cached library

class VignetteLibrary(ContentLibrary[Vignette]):
    """Every vignette in a folder, by title, reloaded when any file changes."""

    def _load(self, paths: list[Path]) -> tuple[list[Vignette], list[Problem]]:
        """Validate every vignette file; return the valid vignettes by title and every problem."""
        vignettes, problems = [], []
        if not self.directory.is_dir():
            problems.append(Problem(_display_path(self.directory), 0, "the vignettes folder is missing"))
        for path in paths:
            data, found = validate_file(path)
            problems.extend(found)
            if data is not None and not found:
                vignettes.append(_build(data, _display_path(path)))
        vignettes.sort(key=lambda v: v.title.lower())
        return vignettes, problems


_libraries: dict[str, VignetteLibrary] = {}


def library_for(directory: str | os.PathLike) -> VignetteLibrary:
    """Return the shared library for a folder (a per-process cache of files, not state)."""
    key = str(Path(directory).resolve())
    if key not in _libraries:
        _libraries[key] = VignetteLibrary(key)
    return _libraries[key]


def _default_dir() -> str:
    """Return the app's VIGNETTES_DIR, or the repository's vignettes folder outside an app."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config["VIGNETTES_DIR"]
    return str(REPO_ROOT / "vignettes")


def all_vignettes(directory: str | None = None) -> list[Vignette]:
    """Return every valid vignette."""
    return library_for(directory or _default_dir()).all()


def get_vignette(vignette_id: str, directory: str | None = None) -> Vignette | None:
    """Return one vignette by id, or None."""
    return library_for(directory or _default_dir()).get(vignette_id)


def check_vignettes(directory: str | os.PathLike) -> list[Problem]:
    """Validate every vignette file in a folder and return the problems (file:line with entry names)."""
    return library_for(directory).problems()
