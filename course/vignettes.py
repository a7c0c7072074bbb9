"""Practice vignettes: load `vignettes/*.yaml`, validate them with file:line problems, cache until files change."""
from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .config import REPO_ROOT
from .content_files import (
    CachedFileSet,
    ContentLibrary,
    Problem,
    Reporter as _Reporter,
    display_path as _display_path,
    is_text as _text,
    open_mapping_file,
)
from .network_guidance import NetworkGuidance, build_network_guidance, check_network_guidance

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ROLES = ("child", "caregiver", "network", "professional")
CATEGORIES = ("harm", "danger", "complicating", "strength", "safety", "grey")
CATEGORY_LABELS = {
    "harm": "Harm",
    "danger": "Danger",
    "complicating": "Complicating factors",
    "strength": "Strengths",
    # One column for both, as on the course map: a single act of protection is not yet safety.
    "safety": "Existing safety and acts of protection",
    "grey": "Grey area",
}
# The model map adds the third question's column to the six fact columns.
MAP_COLUMNS = (*CATEGORIES, "needs")
MAP_COLUMN_LABELS = {**CATEGORY_LABELS, "needs": "What needs to happen"}
MAP_ENTRY_WORDS = 25
KINDS = ("harm", "danger", "safety_goal", "sf_question")
REQUIRED = ("id", "title", "summary", "content_notes", "danger_only", "roster", "narrative",
            "mapping_facts", "scale_guidance", "prompts", "exemplars", "model_map", "family_profile")
OPTIONAL = ("not_danger", "network_guidance")
PERSON_FIELDS = ("name", "short", "role", "age", "pronouns", "relation")
FACT_FIELDS = ("id", "text", "category", "explanation")
# A past event keyed "danger" is evidence for the danger (docs/content-format.md, "Danger facts").
FACT_OPTIONAL = ("evidence",)
EVIDENCE_PHRASE = "evidence for the danger"
PROFILE_FIELDS = ("caregiver_of_concern", "gender", "cultural_group", "heritage", "worries")
PROFILE_LISTS = REPO_ROOT / "vignettes" / "lists" / "family-profile.yaml"
LIST_KEYS = ("worries", "genders", "cultural_groups")
WORRY_RANGE = (1, 3)
GENDER_SHARE = 2 / 3  # at most this share of caregivers of concern may share one gender
NOT_DANGER_FIELDS = ("worry", "explanation", "instead")
NOT_DANGER_OPTIONAL = ("cues",)
# Model statements a family could read, by the grader's own measure (grader/metrics.py).
MAX_STATEMENT_GRADE = 8.0
MAX_SENTENCE_WORDS = 35
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
    evidence: bool = False  # a past event keyed "danger" because it is evidence for the danger

    @property
    def category_label(self) -> str:
        """Return the map column's name."""
        return CATEGORY_LABELS[self.category]


@dataclass(frozen=True)
class FamilyProfile:
    """Who the caregiver of concern is and what the worry is, for the check that no group carries a stereotype."""

    caregiver_of_concern: str
    gender: str
    cultural_group: str
    heritage: str
    worries: tuple[str, ...]


@dataclass(frozen=True)
class NotDanger:
    """A worry that is a need for resources, not danger, with what to tell a learner who writes it as danger."""

    worry: str
    explanation: str
    instead: str
    cues: tuple[str, ...] = ()


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
    model_map: dict[str, list[str]] = field(default_factory=dict)  # column id (MAP_COLUMNS) -> short entries
    profile: FamilyProfile | None = None
    not_danger: list[NotDanger] = field(default_factory=list)
    network_guidance: NetworkGuidance | None = None  # course/network_guidance.py
    path: str = ""
    facts_by_id: dict[str, Fact] = field(default_factory=dict, repr=False)
    lines: dict[str, int] = field(default_factory=dict, repr=False)  # "exemplars.danger.1" -> line, for messages

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


def _check_fields(entry: dict, label: str, required: tuple[str, ...], allowed: tuple[str, ...], rep: _Reporter,
                  *where) -> None:
    """Report a list entry's empty required fields and its fields that are not allowed (`where`: section, index)."""
    for key in required:
        if not _text(entry.get(key)):
            rep.add(f"{label}: missing '{key}'", *where, key)
    for key in entry:
        if key not in allowed:
            rep.add(f"{label}: unknown field '{key}' (allowed: {', '.join(allowed)})", *where, key)


def _check_top(data: dict, rep: _Reporter, stem: str) -> None:
    """Check required top-level fields and their simple types."""
    for key in REQUIRED:
        if key not in data or data[key] is None and key not in ("exemplars",):
            rep.add(f"missing required field '{key}'", key)
    for key in data:
        if key not in REQUIRED + OPTIONAL:
            rep.add(f"unknown field '{key}' (allowed: {', '.join(REQUIRED + OPTIONAL)})", key)
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
        _check_fields(person, label, ("name", "short", "role"), PERSON_FIELDS, rep, "roster", i)
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
        _check_fields(fact, label, FACT_FIELDS, FACT_FIELDS + FACT_OPTIONAL, rep, "mapping_facts", i)
        if "category" in fact and fact["category"] not in CATEGORIES:
            rep.add(f"{label}: category must be one of {', '.join(CATEGORIES)}, not {fact['category']!r}",
                    "mapping_facts", i, "category")
        _check_danger_fact(fact, label, rep, i)
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


def _check_danger_fact(fact: dict, label: str, rep: _Reporter, index: int) -> None:
    """Check the danger rule: a danger fact is a worry about the future, or a past event marked as evidence for it."""
    evidence = fact.get("evidence", False)
    if not isinstance(evidence, bool):
        rep.add(f"{label}: evidence must be true or false", "mapping_facts", index, "evidence")
        return
    if evidence and fact.get("category") != "danger":
        rep.add(f"{label}: only a danger fact can be marked 'evidence: true'", "mapping_facts", index, "evidence")
    elif evidence and _text(fact.get("explanation")) and EVIDENCE_PHRASE not in fact["explanation"].lower():
        rep.add(f"{label}: the explanation of an evidence fact must say it is '{EVIDENCE_PHRASE}', so the learner "
                "sees why a past event sits in the danger column", "mapping_facts", index, "explanation")
    elif (not evidence and fact.get("category") == "danger" and _text(fact.get("text"))
          and "worr" not in fact["text"].lower()):
        rep.add(f"{label}: a danger fact either says who is worried about what may happen, or is a past event "
                f"marked 'evidence: true' whose explanation calls it {EVIDENCE_PHRASE}", "mapping_facts", index, "text")


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


def _check_model_map(data: dict, rep: _Reporter) -> None:
    """Check the model map: every column of the board, each with short plain entries."""
    model = data.get("model_map")
    if "model_map" not in data or model is None:
        return
    if not isinstance(model, dict):
        rep.add(f"model_map must be a mapping from column ids ({', '.join(MAP_COLUMNS)}) to lists of entries",
                "model_map")
        return
    for key in model:
        if key not in MAP_COLUMNS:
            rep.add(f"model_map: unknown column {key!r} (allowed: {', '.join(MAP_COLUMNS)})", "model_map", key)
    for column in MAP_COLUMNS:
        entries = model.get(column)
        if column not in model:
            rep.add(f"model_map: missing column '{column}' (write at least one entry; "
                    "say 'None yet: ...' when it is empty)", "model_map")
        elif not isinstance(entries, list) or not entries or not all(_text(e) for e in entries):
            rep.add(f"model_map: {column} must be a list of at least one short entry", "model_map", column)
        else:
            for i, entry in enumerate(entries):
                words = len(entry.split())
                if words > MAP_ENTRY_WORDS:
                    rep.add(f"model_map: {column} entry #{i + 1} has {words} words; keep each entry to "
                            f"{MAP_ENTRY_WORDS} words or fewer", "model_map", column, i)


# ---------------------------------------------------------------- the family profile and its fixed lists

@dataclass(frozen=True)
class ProfileLists:
    """The fixed words a family profile may use (vignettes/lists/family-profile.yaml)."""

    worries: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    cultural_groups: tuple[str, ...] = ()


def _parse_lists(paths: list[Path]) -> tuple[ProfileLists, list[Problem]]:
    """Read and validate the profile lists file."""
    if not paths:
        return ProfileLists(), [Problem(_display_path(PROFILE_LISTS), 0, "the family profile lists file is missing; "
                                        "restore vignettes/lists/family-profile.yaml from git")]
    data, rep, problems = open_mapping_file(paths[0],
                                            "the lists file must be a mapping: worries, genders, cultural_groups")
    if problems:
        return ProfileLists(), problems
    lists = {}
    for key in LIST_KEYS:
        items = data.get(key)
        if not isinstance(items, list) or not items or not all(_text(i) for i in items):
            rep.add(f"{key} must be a list of short phrases", key)
            items = []
        elif len(set(items)) != len(items):
            rep.add(f"{key} lists a phrase twice", key)
        lists[key] = tuple(i.strip() for i in items if _text(i))
    for key in data:
        if key not in LIST_KEYS:
            rep.add(f"unknown list '{key}' (allowed: {', '.join(LIST_KEYS)})", key)
    return ProfileLists(**lists), rep.problems


_lists = CachedFileSet(PROFILE_LISTS.parent, PROFILE_LISTS.name, _parse_lists)


def profile_lists() -> tuple[ProfileLists, list[Problem]]:
    """Return the fixed profile lists and any problem with their file (reread when it changes)."""
    return _lists.get()


def _check_profile(data: dict, rep: _Reporter) -> None:
    """Check the family profile: a caregiver from the roster, and words from the fixed lists."""
    profile = data.get("family_profile")
    if "family_profile" not in data or profile is None:
        return
    if not isinstance(profile, dict):
        rep.add(f"family_profile must be a mapping with {', '.join(PROFILE_FIELDS)}", "family_profile")
        return
    lists, _ = profile_lists()
    for key in PROFILE_FIELDS:
        if key not in profile:
            rep.add(f"family_profile: missing '{key}'", "family_profile")
    for key in profile:
        if key not in PROFILE_FIELDS:
            rep.add(f"family_profile: unknown field '{key}' (allowed: {', '.join(PROFILE_FIELDS)})",
                    "family_profile", key)
    roster = data.get("roster") or []
    caregivers = [p.get("name") for p in roster if isinstance(p, dict) and p.get("role") == "caregiver"]
    who = profile.get("caregiver_of_concern")
    if "caregiver_of_concern" in profile and who not in caregivers:
        rep.add(f"family_profile: caregiver_of_concern must be the full name of a roster caregiver "
                f"({', '.join(str(c) for c in caregivers) or 'none listed'})", "family_profile", "caregiver_of_concern")
    for key, allowed in (("gender", lists.genders), ("cultural_group", lists.cultural_groups)):
        if key in profile and profile[key] not in allowed:
            rep.add(f"family_profile: {key} must be one of {', '.join(allowed)} (vignettes/lists/family-profile.yaml)",
                    "family_profile", key)
    if "heritage" in profile and not _text(profile["heritage"]):
        rep.add("family_profile: heritage must be text: the family's own words, or 'not stated in the case'",
                "family_profile", "heritage")
    _check_worries(profile, lists, rep)


def _check_worries(profile: dict, lists: ProfileLists, rep: _Reporter) -> None:
    """Check the profile's worries: 1-3 different kinds from the fixed list."""
    worries = profile.get("worries")
    if "worries" not in profile:
        return
    low, high = WORRY_RANGE
    if not isinstance(worries, list) or not low <= len(worries) <= high:
        rep.add(f"family_profile: worries must be a list of {low}-{high} kinds", "family_profile", "worries")
        return
    for worry in worries:
        if worry not in lists.worries:
            rep.add(f"family_profile: worry {worry!r} is not one of {', '.join(lists.worries)}",
                    "family_profile", "worries")
    if len({str(w) for w in worries}) != len(worries):
        rep.add("family_profile: worries lists a kind twice", "family_profile", "worries")


def _check_not_danger(data: dict, rep: _Reporter) -> None:
    """Check the worries that are needs rather than danger (required when the worry is poverty/resources)."""
    entries = data.get("not_danger")
    profile = data.get("family_profile")
    worries = profile.get("worries") if isinstance(profile, dict) else None
    poverty = isinstance(worries, list) and "poverty/resources" in worries
    if entries is None:
        if poverty:
            rep.add("a family whose worry is poverty/resources needs not_danger entries: what a learner may mistake "
                    "for danger, why it is a need, and what to write instead", "family_profile", "worries")
        return
    if not isinstance(entries, list) or not entries:
        rep.add(f"not_danger must be a list of entries with {', '.join(NOT_DANGER_FIELDS)}", "not_danger")
        return
    for i, entry in enumerate(entries):
        label = f"not_danger entry #{i + 1}"
        if not isinstance(entry, dict):
            rep.add(f"{label}: must be a mapping with {', '.join(NOT_DANGER_FIELDS)}", "not_danger", i)
            continue
        _check_fields(entry, label, NOT_DANGER_FIELDS, NOT_DANGER_FIELDS + NOT_DANGER_OPTIONAL, rep, "not_danger", i)
        cues = entry.get("cues", [])
        if not isinstance(cues, list) or not all(_text(c) and c == c.strip().lower() for c in cues):
            rep.add(f"{label}: cues must be a list of lower-case words or phrases a learner might use",
                    "not_danger", i, "cues")


def _validate(path: Path) -> tuple[dict | None, _Reporter | None, list[Problem]]:
    """Parse and validate one vignette file; return its data, its reporter (for lines) and problems."""
    data, rep, problems = open_mapping_file(path, "a vignette file must be a mapping of fields (id, title, roster ...)")
    if problems:
        return None, None, problems
    _check_top(data, rep, path.stem)
    _check_roster(data, rep)
    _check_facts(data, rep)
    _check_prompts(data, rep)
    _check_exemplars(data, rep)
    _check_model_map(data, rep)
    _check_profile(data, rep)
    _check_not_danger(data, rep)
    check_network_guidance(data, rep)
    return data, rep, rep.problems


def validate_file(path: Path) -> tuple[dict | None, list[Problem]]:
    """Parse and validate one vignette file; return its data (None when unusable) and problems."""
    data, _, problems = _validate(path)
    return data, problems


def _lines(rep: _Reporter, data: dict) -> dict[str, int]:
    """Return the lines of each model statement and of the profile's fields, for later messages."""
    lines = {"exemplars.harm.0": rep.line("exemplars", "harm")}
    for kind in ("danger", "safety_goal", "sf_question"):
        count = len(data["exemplars"][kind])
        lines.update({f"exemplars.{kind}.{i}": rep.line("exemplars", kind, i) for i in range(count)})
    lines.update({f"family_profile.{key}": rep.line("family_profile", key) for key in PROFILE_FIELDS})
    return lines


def _build(data: dict, path: str, rep: _Reporter) -> Vignette:
    """Turn validated data into a Vignette."""
    ex = data["exemplars"]
    profile = data["family_profile"]
    return Vignette(
        id=data["id"], title=data["title"].strip(), summary=data["summary"].strip(),
        content_notes=[n.strip() for n in data["content_notes"]], danger_only=data["danger_only"],
        roster=[Person(**{k: p.get(k) if k == "age" else str(p.get(k) or "").strip() for k in PERSON_FIELDS})
                for p in data["roster"]],
        narrative=data["narrative"],
        mapping_facts=[Fact(**{k: str(f[k]).strip() for k in FACT_FIELDS}, evidence=f.get("evidence", False))
                       for f in data["mapping_facts"]],
        scale_guidance=data["scale_guidance"].strip(),
        prompts={k: data["prompts"][k].strip() for k in KINDS},
        exemplars={
            "harm": [ex["harm"].strip()] if _text(ex.get("harm")) else [],
            **{k: [t.strip() for t in ex[k]] for k in ("danger", "safety_goal", "sf_question")},
        },
        model_map={c: [e.strip() for e in data["model_map"][c]] for c in MAP_COLUMNS},
        profile=FamilyProfile(**{k: profile[k].strip() for k in PROFILE_FIELDS if k != "worries"},
                              worries=tuple(profile["worries"])),
        not_danger=[NotDanger(**{k: e[k].strip() for k in NOT_DANGER_FIELDS}, cues=tuple(e.get("cues", [])))
                    for e in data.get("not_danger") or []],
        network_guidance=build_network_guidance(data),
        path=path,
        lines=_lines(rep, data),
    )


# ---------------------------------------------------------------- checks across the families

def family_problems(vignettes: list[Vignette]) -> list[Problem]:
    """Report a cultural group that carries one worry in two families, or one gender carrying most of the worries."""
    problems: list[Problem] = []
    first: dict[tuple[str, str], Vignette] = {}
    profiled = sorted((v for v in vignettes if v.profile), key=lambda v: v.path)
    for v in profiled:
        for worry in v.profile.worries:
            earlier = first.setdefault((v.profile.cultural_group, worry), v)
            if earlier is not v:
                group = v.profile.cultural_group
                problems.append(Problem(v.path, v.lines.get("family_profile.worries", 0),
                                        f"family_profile: the cultural group '{group}' already carries the worry "
                                        f"'{worry}' in {earlier.id}; no group may carry more than one family's worry "
                                        "of the same kind. Change the worry or who the caregiver of concern is, and "
                                        "update docs/families.md"))
    genders = Counter(v.profile.gender for v in profiled)
    if len(profiled) >= 4 and genders:
        gender, count = genders.most_common(1)[0]
        if count > GENDER_SHARE * len(profiled):
            last = [v for v in profiled if v.profile.gender == gender][-1]
            problems.append(Problem(last.path, last.lines.get("family_profile.gender", 0),
                                    f"family_profile: {count} of {len(profiled)} caregivers of concern have the gender "
                                    f"'{gender}'; at most two-thirds may share one. Make the next family's caregiver "
                                    "of concern someone of another gender"))
    return problems


# ---------------------------------------------------------------- the families table in docs/families.md

FAMILIES_DOC = REPO_ROOT / "docs" / "families.md"
TABLE_START = "<!-- families-table:start (generated: flask --app wsgi content families --write) -->"
TABLE_END = "<!-- families-table:end -->"


def _cell(text: str) -> str:
    """Escape a table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def families_table(vignettes: list[Vignette]) -> str:
    """Return the Markdown table: family, caregiver of concern, gender, cultural group, worry."""
    rows = ["| Family | Caregiver of concern | Gender | Cultural group | Worry |", "|---|---|---|---|---|"]
    for v in sorted((v for v in vignettes if v.profile), key=lambda v: v.id):
        p = v.profile
        cells = (v.id, p.caregiver_of_concern, p.gender, p.cultural_group, ", ".join(p.worries))
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows)


def with_families_table(document: str, table: str) -> str:
    """Return the document with the text between the table markers replaced (ValueError without markers)."""
    start, end = document.find(TABLE_START), document.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(f"the document needs the lines {TABLE_START} and {TABLE_END} around the table")
    return document[:start + len(TABLE_START)] + "\n" + table + "\n" + document[end:]


# ---------------------------------------------------------------- reading level of the model statements

@lru_cache(maxsize=4096)
def reading_figures(text: str) -> tuple[float, int]:
    """Return (grade level, words in the longest sentence) by the grader's own measure (grader.metrics)."""
    from grader import load_pipeline
    from grader.metrics import compute, sentence_words
    from grader.pipeline import disabled_pipes

    nlp = load_pipeline()
    tokens = list(nlp(text, disable=disabled_pipes(nlp)))
    sentences = sentence_words(tokens)
    return compute(tokens, sentences)["grade_level"], max((words for _, _, words in sentences), default=0)


def _statement_name(kind: str, index: int) -> str:
    """Name a model statement for messages: 'danger #2'."""
    return "harm" if kind == "harm" else f"{kind} #{index + 1}"


def reading_problems(vignettes: list[Vignette]) -> list[Problem]:
    """Report each model statement above grade 8 or with a sentence over 35 words (the grader's measure)."""
    problems: list[Problem] = []
    for v in vignettes:
        for kind in KINDS:
            for i, text in enumerate(v.exemplars.get(kind, [])):
                grade, longest = reading_figures(text)
                line = v.lines.get(f"exemplars.{kind}.{i}", 0)
                name = _statement_name(kind, i)
                if grade > MAX_STATEMENT_GRADE:
                    problems.append(Problem(v.path, line, f"exemplars: {name} reads at grade {grade}; a family "
                                            f"should be able to read it: write at grade {MAX_STATEMENT_GRADE:g} or "
                                            "below with shorter sentences and everyday words"))
                if longest > MAX_SENTENCE_WORDS:
                    problems.append(Problem(v.path, line, f"exemplars: {name} has a sentence of {longest} words; keep "
                                            f"each sentence to {MAX_SENTENCE_WORDS} words or fewer (split a danger "
                                            "statement after who is worried, or before how the child could be hurt)"))
    return problems


# ---------------------------------------------------------------- the cached library

class VignetteLibrary(ContentLibrary[Vignette]):
    """Every vignette in a folder, by title, reloaded when any file (or the profile lists) changes."""

    def __init__(self, directory: str | os.PathLike):
        super().__init__(directory)
        self._reading = CachedFileSet(self.directory, self.pattern, lambda _paths: reading_problems(self.all()),
                                      self._extra_signature)

    def _extra_signature(self) -> tuple:
        """Return the profile lists file's signature: the profiles are checked against it."""
        return _lists.signature()

    def _load(self, paths: list[Path]) -> tuple[list[Vignette], list[Problem]]:
        """Validate every vignette file; return the valid vignettes by title and every problem."""
        vignettes, problems = [], list(profile_lists()[1])
        if not self.directory.is_dir():
            problems.append(Problem(_display_path(self.directory), 0, "the vignettes folder is missing"))
        for path in paths:
            data, rep, found = _validate(path)
            problems.extend(found)
            if data is not None and not found:
                vignettes.append(_build(data, _display_path(path), rep))
        problems.extend(family_problems(vignettes))
        vignettes.sort(key=lambda v: v.title.lower())
        return vignettes, problems

    def reading_problems(self) -> list[Problem]:
        """Return the reading-level problems of the valid vignettes (loads the grader's pipeline once)."""
        return list(self._reading.get())


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


def check_vignettes(directory: str | os.PathLike, reading: bool = True) -> list[Problem]:
    """Validate every vignette file in a folder and return the problems (file:line with entry names).

    With reading=True (the content check) the model statements are also measured with the grader's
    reading-level metric, which needs the spaCy pipeline.
    """
    library = library_for(directory)
    problems = library.problems()
    if reading:
        try:
            problems += library.reading_problems()
        except (ImportError, OSError) as exc:
            problems.append(Problem(_display_path(Path(directory)), 0, f"the model statements' reading level could not "
                                    f"be checked ({exc}); install the grader's spaCy model (en_core_web_sm)"))
    return problems
