"""The Roster a caller may hand the grader: the people of one family and its danger types.

The grader never reads vignette files and never pools the casts of several families: with
no roster, people and their roles come from the statement's own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

ROLES = ("child", "caregiver", "network", "professional")
TITLE_BY_PRONOUN = {"he": ("mr", "mr."), "she": ("ms", "ms.", "mrs", "mrs.", "miss")}


class GraderInputError(ValueError):
    """The caller's input cannot be graded; the message says what to do."""


@dataclass(frozen=True)
class Person:
    """One person of a family's roster."""

    name: str
    short: str = ""
    role: str = ""  # child, caregiver, network, professional (or "" when unknown)
    age: str = ""  # as written: "7", "3 months"
    pronouns: str = ""  # as written: "she/her"
    relation: str = ""  # "Amara's mother"

    @property
    def display(self) -> str:
        """The name the text would mostly use."""
        return self.short or self.name

    @property
    def pronoun(self) -> str:
        """The subject pronoun ("he", "she", "they") or ""."""
        first = self.pronouns.split("/")[0].strip().lower()
        return first if first in ("he", "she", "they") else ""


@dataclass(frozen=True)
class Roster:
    """The people of one family, built by the caller (the app, the CLI or a test)."""

    id: str | None = None
    people: tuple[Person, ...] = ()
    danger_types: tuple[str, ...] = ()  # ids from rules/danger_types.yaml ("supervision", "substances", ...)

    @property
    def explicit(self) -> bool:
        """True when the roster names anyone (an empty roster is the same as none)."""
        return bool(self.people)

    def with_role(self, role: str) -> list[Person]:
        """People with this role, in roster order."""
        return [p for p in self.people if p.role == role]


NO_ROSTER = Roster()


def _person(entry: Any, where: str) -> Person:
    """Validate one roster entry (a Person, a mapping, or an object with the same attributes)."""
    if isinstance(entry, Person):
        return entry
    if not isinstance(entry, dict) and isinstance(getattr(entry, "name", None), str):
        entry = {key: getattr(entry, key, None) for key in ("name", "short", "role", "age", "pronouns", "relation")}
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
        raise GraderInputError(f"{where}: each person needs a 'name'; add one or leave the person out.")
    role = str(entry.get("role") or "").strip().lower()
    if role and role not in ROLES:
        raise GraderInputError(f"{where}: role {role!r} is not one of {', '.join(ROLES)}; use one of those.")
    age = entry.get("age")
    return Person(
        name=entry["name"].strip(),
        short=str(entry.get("short") or "").strip(),
        role=role,
        age="" if age is None else str(age).strip(),
        pronouns=str(entry.get("pronouns") or "").strip(),
        relation=str(entry.get("relation") or "").strip(),
    )


def roster_from_mapping(data: Any, where: str = "vignette") -> Roster:
    """Build a Roster from a vignette-like mapping: {"id", "roster": [people], "danger_types": [...]}."""
    if isinstance(data, Roster):
        return data
    if not isinstance(data, dict):
        raise GraderInputError(f"{where}: pass a Roster or a mapping with a 'roster' list of people.")
    entries = data.get("roster", data.get("people"))
    if not isinstance(entries, (list, tuple)):
        raise GraderInputError(f"{where}: 'roster' must be a list of people, each with a 'name' and a 'role'.")
    types = data.get("danger_types") or ()
    if isinstance(types, str) or not all(isinstance(t, str) for t in types):
        raise GraderInputError(f"{where}: 'danger_types' must be a list of danger type ids.")
    vid = data.get("id")
    return Roster(
        id=str(vid) if vid is not None else None,
        people=tuple(_person(e, f"{where} person {i + 1}") for i, e in enumerate(entries)),
        danger_types=tuple(types),
    )


def as_roster(roster: Any = None, vignette: Any = None) -> Roster:
    """The roster to grade with: a Roster, a vignette-like mapping, or none (never an id lookup)."""
    if roster is not None and vignette is not None:
        raise GraderInputError("Pass the family's people as roster= only (vignette= is its older name), not both.")
    value = roster if roster is not None else vignette
    if value is None:
        return NO_ROSTER
    if isinstance(value, str):
        raise GraderInputError(
            f"The grader takes the family's roster, not a vignette id ({value[:40]!r}): build a Roster "
            "(or a mapping with a 'roster' list) from the vignette and pass it as roster=."
        )
    return roster_from_mapping(value, "roster")


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
