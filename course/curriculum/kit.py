"""The trainer's kit data in `content/kit/`: a facilitation guide per module (`facilitation.yaml`) and role-play cards
per family (`role-plays.yaml`), validated with file:line problems. The kit pages render what this returns."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, has_app_context

from ..config import DEFAULTS
from ..content_files import CachedFileSet, Problem, Reporter, display_path, is_text, read_yaml
from ..module_files import Module, library_for
from ..vignettes import Vignette, all_vignettes

KIT_DIR = "kit"
FACILITATION_FILE = "facilitation.yaml"
ROLE_PLAYS_FILE = "role-plays.yaml"
GUIDE_FIELDS = ("module", "timing", "setup", "materials", "debrief", "misconceptions")
CARD_FIELDS = ("id", "family", "title", "setting", "roles", "worker_goal")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
OBSERVER = "Observer"


@dataclass(frozen=True)
class Step:
    """One timed part of a module in the room."""

    minutes: int
    what: str


@dataclass(frozen=True)
class Misconception:
    """A belief learners often bring, and how the trainer answers it."""

    belief: str
    response: str


@dataclass(frozen=True)
class Guide:
    """The facilitation guide for one module."""

    module: str
    timing: tuple[Step, ...]
    setup: str
    materials: tuple[str, ...]
    debrief: tuple[str, ...]
    misconceptions: tuple[Misconception, ...]
    line: int = 0

    @property
    def minutes(self) -> int:
        """Return the minutes the timing adds up to."""
        return sum(step.minutes for step in self.timing)


@dataclass(frozen=True)
class Role:
    """One part in a role-play: who plays it and what they know or want."""

    who: str
    brief: str


@dataclass(frozen=True)
class Card:
    """A role-play card for one family."""

    id: str
    family: str
    title: str
    setting: str
    roles: tuple[Role, ...]
    worker_goal: str
    line: int = 0


@dataclass(frozen=True)
class Kit:
    """The whole kit: guides in course order, and cards by family."""

    guides: tuple[Guide, ...]
    cards: tuple[Card, ...]

    def guide(self, module_id: str) -> Guide | None:
        """Return the guide for a module, or None."""
        return next((g for g in self.guides if g.module == module_id), None)

    def cards_for(self, family: str) -> list[Card]:
        """Return a family's role-play cards, in file order."""
        return [c for c in self.cards if c.family == family]


def _whole(value) -> bool:
    """Return whether the value is a whole number above zero."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _texts(value) -> bool:
    """Return whether the value is a non-empty list of non-empty texts."""
    return isinstance(value, list) and bool(value) and all(is_text(v) for v in value)


def _unknown(entry: dict, allowed: tuple[str, ...], rep: Reporter, where: tuple) -> None:
    """Record a problem for each field the entry should not have."""
    for key in entry:
        if key not in allowed:
            rep.add(f"unknown field '{key}' (allowed: {', '.join(allowed)})", *where, key)


# ---------------------------------------------------------------- facilitation guides

def _guide(entry, index: int, rep: Reporter, modules: dict[str, Module]) -> Guide | None:
    """Check one facilitation guide; return it when it is valid."""
    where = (index,)
    if not isinstance(entry, dict):
        rep.add(f"guide {index + 1} must be a mapping with {', '.join(GUIDE_FIELDS)}", *where)
        return None
    before = len(rep.problems)
    _unknown(entry, GUIDE_FIELDS, rep, where)
    module = modules.get(entry.get("module")) if isinstance(entry.get("module"), str) else None
    name = f"guide for '{entry.get('module')}'"
    if module is None:
        rep.add(f"{name}: 'module' must be the id of a module (ids: {', '.join(sorted(modules))})", *where, "module")
    steps = _timing(entry.get("timing"), name, rep, where)
    if module is not None and steps and sum(s.minutes for s in steps) != module.minutes:
        rep.add(f"{name}: the timing adds up to {sum(s.minutes for s in steps)} minutes but the module takes "
                f"{module.minutes}: make them agree", *where, "timing")
    if not is_text(entry.get("setup")):
        rep.add(f"{name}: 'setup' must say how to set up the room (or 'None needed.')", *where, "setup")
    for key, what in (("materials", "things to bring or print"), ("debrief", "debrief questions")):
        if not _texts(entry.get(key)):
            rep.add(f"{name}: '{key}' must be a list of {what}", *where, key)
    beliefs = _misconceptions(entry.get("misconceptions"), name, rep, where)
    if len(rep.problems) > before:
        return None
    return Guide(module.id, steps, entry["setup"].strip(), tuple(m.strip() for m in entry["materials"]),
                 tuple(q.strip() for q in entry["debrief"]), beliefs, rep.line(index))


def _timing(raw, name: str, rep: Reporter, where: tuple) -> tuple[Step, ...]:
    """Check a guide's timing list of {minutes, what}."""
    if not isinstance(raw, list) or not raw:
        rep.add(f"{name}: 'timing' must be a list of {{minutes, what}}", *where, "timing")
        return ()
    steps = []
    for i, step in enumerate(raw):
        if not isinstance(step, dict) or not _whole(step.get("minutes")) or not is_text(step.get("what")):
            rep.add(f"{name}: timing step {i + 1} needs 'minutes' (a whole number above 0) and 'what'",
                    *where, "timing", i)
            continue
        _unknown(step, ("minutes", "what"), rep, (*where, "timing", i))
        steps.append(Step(step["minutes"], step["what"].strip()))
    return tuple(steps)


def _misconceptions(raw, name: str, rep: Reporter, where: tuple) -> tuple[Misconception, ...]:
    """Check a guide's list of {belief, response}."""
    if not isinstance(raw, list) or not raw:
        rep.add(f"{name}: 'misconceptions' must be a list of {{belief, response}}", *where, "misconceptions")
        return ()
    found = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not is_text(item.get("belief")) or not is_text(item.get("response")):
            rep.add(f"{name}: misconception {i + 1} needs a 'belief' and a 'response'", *where, "misconceptions", i)
            continue
        _unknown(item, ("belief", "response"), rep, (*where, "misconceptions", i))
        found.append(Misconception(item["belief"].strip(), item["response"].strip()))
    return tuple(found)


def check_guides(root, data, shown: str, modules: list[Module]) -> tuple[list[Guide], list[Problem]]:
    """Validate the facilitation guides: one per module, each timed to its module's minutes."""
    rep = Reporter(shown, root)
    if not isinstance(data, list):
        rep.add("the facilitation file must be a list of guides, one per module")
        return [], rep.problems
    by_id = {m.id: m for m in modules}
    guides, seen = [], {}
    for index, entry in enumerate(data):
        guide = _guide(entry, index, rep, by_id)
        if guide is None:
            continue
        if guide.module in seen:
            rep.add(f"module '{guide.module}' has two guides (entries {seen[guide.module] + 1} and {index + 1}): "
                    f"keep one", index, "module")
            continue
        seen[guide.module] = index
        guides.append(guide)
    named = {e.get("module") for e in data if isinstance(e, dict)}
    for module in modules:
        if module.id not in named:
            rep.add(f"module '{module.id}' has no facilitation guide: add an entry with 'module: {module.id}'")
    order = {m.id: i for i, m in enumerate(sorted(modules, key=lambda m: m.sort_key))}
    guides.sort(key=lambda g: order.get(g.module, len(order)))
    return guides, rep.problems


# ---------------------------------------------------------------- role-play cards

def _names(vignette: Vignette) -> set[str]:
    """Return every way the family's roster names a person (full name and short name)."""
    return {n for p in vignette.roster for n in (p.name, p.short) if n}


def _card(entry, index: int, rep: Reporter, families: dict[str, Vignette]) -> Card | None:
    """Check one role-play card; return it when it is valid."""
    where = (index,)
    if not isinstance(entry, dict):
        rep.add(f"card {index + 1} must be a mapping with {', '.join(CARD_FIELDS)}", *where)
        return None
    before = len(rep.problems)
    _unknown(entry, CARD_FIELDS, rep, where)
    name = f"card '{entry.get('id')}'" if is_text(entry.get("id")) else f"card {index + 1}"
    if not is_text(entry.get("id")) or not ID_PATTERN.match(str(entry.get("id"))):
        rep.add(f"{name}: 'id' must be lower-case words joined by hyphens", *where, "id")
    family = families.get(entry.get("family")) if isinstance(entry.get("family"), str) else None
    if family is None:
        rep.add(f"{name}: 'family' must be a vignette id (ids: {', '.join(sorted(families))})", *where, "family")
    for key in ("title", "setting", "worker_goal"):
        if not is_text(entry.get(key)):
            rep.add(f"{name}: missing '{key}'", *where, key)
    roles = _roles(entry.get("roles"), name, family, rep, where)
    if len(rep.problems) > before:
        return None
    return Card(entry["id"], family.id, entry["title"].strip(), entry["setting"].strip(), roles,
                entry["worker_goal"].strip(), rep.line(index))


def _roles(raw, name: str, family: Vignette | None, rep: Reporter, where: tuple) -> tuple[Role, ...]:
    """Check a card's roles: at least two, each naming someone in the family's roster (or the observer)."""
    if not isinstance(raw, list) or len(raw) < 2:
        rep.add(f"{name}: 'roles' must list at least two parts, each with 'who' and 'brief'", *where, "roles")
        return ()
    known = _names(family) if family else set()
    roles = []
    for i, role in enumerate(raw):
        if not isinstance(role, dict) or not is_text(role.get("who")) or not is_text(role.get("brief")):
            rep.add(f"{name}: role {i + 1} needs 'who' and 'brief'", *where, "roles", i)
            continue
        _unknown(role, ("who", "brief"), rep, (*where, "roles", i))
        who = role["who"].strip()
        if family and not who.startswith(OBSERVER) and not any(re.search(rf"\b{re.escape(n)}\b", who) for n in known):
            rep.add(f"{name}: role {i + 1} '{who}' names nobody in {family.id}'s roster (or start it with "
                    f"'{OBSERVER}')", *where, "roles", i, "who")
        roles.append(Role(who, role["brief"].strip()))
    return tuple(roles)


def check_cards(root, data, shown: str, vignettes: list[Vignette]) -> tuple[list[Card], list[Problem]]:
    """Validate the role-play cards: unique ids, real families, roles drawn from each family's roster."""
    rep = Reporter(shown, root)
    if not isinstance(data, list):
        rep.add("the role-play file must be a list of cards")
        return [], rep.problems
    families = {v.id: v for v in vignettes}
    cards, seen = [], {}
    for index, entry in enumerate(data):
        card = _card(entry, index, rep, families)
        if card is None:
            continue
        if card.id in seen:
            rep.add(f"card id '{card.id}' is already used by card {seen[card.id] + 1}", index, "id")
            continue
        seen[card.id] = index
        cards.append(card)
    return cards, rep.problems


# ---------------------------------------------------------------- loading

def _read(paths: list[Path]) -> dict[str, tuple]:
    """Read each kit file as {name: (root, data, shown, problems)}."""
    found = {}
    for path in paths:
        shown = display_path(path)
        root, data, problems = read_yaml(path, shown)
        found[path.name] = (root, data, shown, problems)
    return found


_files: dict[str, CachedFileSet] = {}


def _files_for(content_dir: str | os.PathLike) -> CachedFileSet:
    """Return the cached reader of a content folder's kit files (a per-process cache of files, not state)."""
    key = str(Path(content_dir, KIT_DIR).resolve())
    if key not in _files:
        _files[key] = CachedFileSet(key, "*.yaml", _read)
    return _files[key]


def load_kit(
    content_dir: str | os.PathLike, modules: list[Module], vignettes: list[Vignette]
) -> tuple[Kit, list[Problem]]:
    """Return the kit's valid guides and cards, and every problem.

    Each file is optional (a trimmed or local content folder may have no kit); a missing one gives an empty part.
    """
    files = _files_for(content_dir).get()
    problems: list[Problem] = []
    parts: dict[str, list] = {}
    for name, check, against in ((FACILITATION_FILE, check_guides, modules), (ROLE_PLAYS_FILE, check_cards, vignettes)):
        if name not in files:
            parts[name] = []
            continue
        root, data, shown, read_problems = files[name]
        if read_problems:
            problems.extend(read_problems)
            parts[name] = []
            continue
        parts[name], found = check(root, data, shown, against)
        problems.extend(found)
    return Kit(tuple(parts[FACILITATION_FILE]), tuple(parts[ROLE_PLAYS_FILE])), problems


def kit(content_dir: str | None = None, vignettes_dir: str | None = None) -> tuple[Kit, list[Problem]]:
    """Return the kit for the app's content (or the given folders) and its problems."""
    if content_dir is None:
        content_dir = current_app.config["CONTENT_DIR"] if has_app_context() else DEFAULTS["CONTENT_DIR"]
    return load_kit(content_dir, library_for(content_dir).all(), all_vignettes(vignettes_dir))
