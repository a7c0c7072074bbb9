"""Resolve a vignette to its roster and find the people a text mentions."""
from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROLES = ("child", "caregiver", "network", "professional")
VIGNETTE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")
TITLE_BY_PRONOUN = {"he": ("mr", "mr."), "she": ("ms", "ms.", "mrs", "mrs.", "miss")}
DEFAULT_VIGNETTES_DIR = Path(__file__).resolve().parent.parent / "vignettes"
# Listing the folder on every grade cost as much as a tenth of the rule pass; an edited
# vignette is picked up within this many seconds instead.
MTIME_RECHECK_SECONDS = 1.0
_mtime_keys: dict[str, tuple[float, tuple]] = {}


@dataclass(frozen=True)
class Person:
    """One roster entry."""

    name: str
    short: str
    role: str
    age: str = ""
    pronoun: str = ""  # "he", "she", "they" or ""

    @property
    def display(self) -> str:
        """The name the text would mostly use."""
        return self.short or self.name


@dataclass(frozen=True)
class Roster:
    """The people of one vignette (or of every known vignette)."""

    people: tuple[Person, ...]
    vignette_id: str | None = None
    explicit: bool = False  # True when the caller named a vignette or passed a roster

    def with_role(self, role: str) -> list[Person]:
        """People with this role, in roster order."""
        return [p for p in self.people if p.role == role]


def vignettes_dir() -> Path:
    """The vignette folder: $SOP_VIGNETTES_DIR or <repo>/vignettes."""
    env = os.environ.get("SOP_VIGNETTES_DIR")
    return Path(env) if env else DEFAULT_VIGNETTES_DIR


def _pronoun(raw: Any) -> str:
    """Reduce "he/him" and similar to its subject form."""
    first = str(raw or "").split("/")[0].strip().lower()
    return first if first in ("he", "she", "they") else ""


def _person(entry: Any, where: str) -> Person:
    """Validate one roster entry."""
    if isinstance(entry, Person):
        return entry
    if not isinstance(entry, dict) and isinstance(getattr(entry, "name", None), str):
        # an app-side person object (dataclass or similar): read the same fields as attributes
        entry = {key: getattr(entry, key, None) for key in ("name", "short", "role", "age", "pronouns")}
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
        raise ValueError(f"{where}: each roster entry needs a 'name'")
    role = str(entry.get("role") or "").strip().lower()
    return Person(name=entry["name"].strip(), short=str(entry.get("short") or "").strip(),
                  role=role if role in ROLES else "network" if role else "", age=str(entry.get("age") or ""),
                  pronoun=_pronoun(entry.get("pronouns")))


def roster_from_entries(entries: Any, where: str, vignette_id: str | None = None) -> Roster:
    """Build a Roster from a list of roster dicts."""
    if not isinstance(entries, (list, tuple)):
        raise ValueError(f"{where}: 'roster' must be a list of people")
    return Roster(tuple(_person(e, f"{where} roster entry {i}") for i, e in enumerate(entries)),
                  vignette_id=vignette_id, explicit=True)


def _mtime_key(directory: Path) -> tuple:
    """A cache key that changes when vignette files change (re-read at most once a second)."""
    now = time.monotonic()
    seen = _mtime_keys.get(str(directory))
    if seen is not None and now - seen[0] < MTIME_RECHECK_SECONDS:
        return seen[1]
    try:
        key = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in directory.glob("*.yaml")))
    except OSError:
        key = ()
    _mtime_keys[str(directory)] = (now, key)
    return key


@lru_cache(maxsize=64)
def _load_vignette_roster(path_str: str, _key: tuple) -> Roster:
    """Read one vignette file's roster."""
    path = Path(path_str)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"vignette file {path.name} could not be read: {exc}") from exc
    if not isinstance(data, dict) or "roster" not in data:
        raise ValueError(f"vignette file {path.name} has no 'roster'")
    return roster_from_entries(data["roster"], path.name, vignette_id=path.stem)


@lru_cache(maxsize=8)
def _known_people(directory: str, _key: tuple) -> Roster:
    """The union of every vignette's roster: names the course uses everywhere."""
    people: list[Person] = []
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            people.extend(_load_vignette_roster(str(path), _key).people)
        except ValueError:
            continue  # a broken vignette file is the content checker's business
    return Roster(tuple(people), vignette_id=None, explicit=False)


def resolve_roster(vignette: Any) -> Roster:
    """Turn a vignette id, dict, object with .roster, or None into a Roster."""
    directory = vignettes_dir()
    if vignette is None or vignette == "":
        return _known_people(str(directory), _mtime_key(directory))
    if isinstance(vignette, Roster):
        return vignette
    if isinstance(vignette, str):
        if not VIGNETTE_ID.match(vignette):
            raise ValueError(f"Unknown vignette {vignette!r}: ids are lower-case words joined by hyphens.")
        path = directory / f"{vignette}.yaml"
        if not path.is_file():
            raise ValueError(f"Unknown vignette {vignette!r}: no file {vignette}.yaml in {directory}.")
        return _load_vignette_roster(str(path), _mtime_key(directory))
    if isinstance(vignette, dict):
        if "roster" not in vignette:
            raise ValueError("A vignette given as a mapping needs a 'roster' list.")
        return roster_from_entries(vignette["roster"], "vignette", vignette_id=vignette.get("id"))
    roster = getattr(vignette, "roster", None)
    if roster is None:
        raise ValueError(f"Cannot use {type(vignette).__name__} as a vignette: pass an id, or an object with a roster.")
    return roster_from_entries(list(roster), "vignette", vignette_id=getattr(vignette, "id", None))


def _aliases(person: Person) -> Iterable[tuple[str, ...]]:
    """Lower-cased token sequences that refer to this person."""
    forms = {person.name, person.short}
    words = person.name.replace(".", ". ").split()
    titled = bool(words) and words[0].lower().rstrip(".") in ("mr", "ms", "mrs", "miss", "dr")
    if len(words) >= 2 and not titled:
        forms.add(words[0])
        for title in TITLE_BY_PRONOUN.get(person.pronoun, ()):
            if person.role != "child":
                forms.add(f"{title} {words[-1]}")
    for form in forms:
        if form:
            yield tuple(re.findall(r"[\w.'-]+", form.lower().replace(".", ". ").replace(" .", ".")))


@lru_cache(maxsize=128)
def alias_table(roster: Roster) -> dict[tuple[str, ...], Person]:
    """Map alias token tuples to people (first roster entry wins on a clash)."""
    table: dict[tuple[str, ...], Person] = {}
    for person in roster.people:
        for alias in _aliases(person):
            cleaned = tuple(t.rstrip(".") if t not in ("mr.", "ms.", "mrs.", "dr.") else t for t in alias)
            for key in {alias, cleaned, tuple(t.rstrip(".") for t in alias)}:
                if key and key not in table:
                    table[key] = person
    return table
