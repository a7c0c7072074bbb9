"""A vignette's `network_guidance`: where the case puts each person in the circles of safety and support,
who would make a good network member and why, and a first orientation in plain words. Also which of a
case's children are old enough for the child-interview exercise.

The vignette loader (course/vignettes.py) validates the field with file:line problems and builds it;
the network exercise compares the learner's work with it. The field is optional, so a new family can
arrive before its guidance is written; the content check and the tests ask for it on every family.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .content_files import Reporter, is_text

if TYPE_CHECKING:  # vignettes.py imports this module to validate and build the field
    from .vignettes import Person, Vignette

# The circles, inner to outer (SOP primer section 1; content/diagrams/circles-of-safety.svg).
CIRCLES = ("all", "some", "none")
CIRCLE_LABELS = {"all": "Knows all the worries", "some": "Knows some of the worries",
                 "none": "Knows none of the worries yet"}
# Would this person make a good network member? (Words chosen so YAML never reads them as true or false.)
FITS = ("good", "not_yet", "not_now")
FIT_LABELS = {"good": "Yes, a good network member", "not_yet": "Could be, once something changes",
              "not_now": "Not now"}
FIELDS = ("circles", "circles_note", "members", "orientation")
OPTIONAL = ("orientation_for", "who_else")
MEMBER_FIELDS = ("fit", "why")
MIN_INTERVIEW_AGE = 4  # Three Houses and the Safety House are drawn with children from about four
MAX_WORDS = {"circles_note": 120, "why": 70, "orientation": 260, "who_else": 80}


@dataclass(frozen=True)
class MemberGuidance:
    """Whether one network member would make a good member, and why, in the case's terms."""

    name: str
    fit: str
    why: str

    @property
    def fit_label(self) -> str:
        """Return the answer in words."""
        return FIT_LABELS[self.fit]


@dataclass(frozen=True)
class NetworkGuidance:
    """The guidance a learner compares their network exercise with."""

    circles: dict[str, str]  # full name -> circle
    circles_note: str
    members: tuple[MemberGuidance, ...]
    orientation: str
    orientation_for: str = ""
    who_else: str = ""

    def member(self, name: str) -> MemberGuidance | None:
        """Return the guidance on one network member, by full name."""
        return next((m for m in self.members if m.name == name), None)


def is_worker(role: str, relation) -> bool:
    """Return whether a role and relation are the family's social worker (the learner's role, not someone to place)."""
    return role == "professional" and str(relation or "").strip().lower() == "social worker"


def is_case_worker(person: dict) -> bool:
    """Return whether a roster entry (raw YAML) is the family's social worker."""
    return is_worker(person.get("role"), person.get("relation"))


def placeable_names(roster: list) -> list[str]:
    """Return the roster names a learner places in the circles: everyone but the children and the social worker."""
    return [p["name"] for p in roster if isinstance(p, dict) and is_text(p.get("name"))
            and p.get("role") != "child" and not is_case_worker(p)]


def member_names(roster: list) -> list[str]:
    """Return the roster names of the network members (role 'network')."""
    return [p["name"] for p in roster if isinstance(p, dict) and is_text(p.get("name")) and p.get("role") == "network"]


def _words(rep: Reporter, text, limit: int, what: str, *keys) -> None:
    """Report text that is empty or longer than the limit."""
    if not is_text(text):
        rep.add(f"network_guidance: {what} must be non-empty text", "network_guidance", *keys)
    elif len(text.split()) > limit:
        rep.add(f"network_guidance: {what} has {len(text.split())} words; keep it to {limit} or fewer",
                "network_guidance", *keys)


def _check_circles(circles, roster: list, rep: Reporter) -> None:
    """Check that every person to place is in exactly one known circle."""
    if not isinstance(circles, dict):
        rep.add(f"network_guidance: circles must map each circle ({', '.join(CIRCLES)}) to a list of roster names",
                "network_guidance", "circles")
        return
    placeable = placeable_names(roster)
    seen: list[str] = []
    for circle, names in circles.items():
        if circle not in CIRCLES:
            rep.add(f"network_guidance: unknown circle {circle!r} (allowed: {', '.join(CIRCLES)})",
                    "network_guidance", "circles", circle)
            continue
        if names is None:
            continue
        if not isinstance(names, list) or not all(is_text(n) for n in names):
            rep.add(f"network_guidance: circles.{circle} must be a list of full names from the roster",
                    "network_guidance", "circles", circle)
            continue
        for name in names:
            if name not in placeable:
                rep.add(f"network_guidance: circles.{circle}: {name!r} is not someone to place (use the full name "
                        f"of a roster adult other than the social worker: {', '.join(placeable)})",
                        "network_guidance", "circles", circle)
            seen.append(name)
    twice = sorted({n for n in seen if seen.count(n) > 1})
    if twice:
        rep.add(f"network_guidance: circles lists {', '.join(twice)} more than once", "network_guidance", "circles")
    missing = [n for n in placeable if n not in seen]
    if missing:
        rep.add(f"network_guidance: circles must place everyone the learner places; missing: {', '.join(missing)}",
                "network_guidance", "circles")


def _check_members(members, roster: list, rep: Reporter) -> None:
    """Check one entry, with a fit and a reason, for each network member in the roster."""
    names = member_names(roster)
    if not isinstance(members, dict):
        rep.add("network_guidance: members must map each network member's full name to fit and why",
                "network_guidance", "members")
        return
    for name, entry in members.items():
        if name not in names:
            rep.add(f"network_guidance: members: {name!r} is not a network member in the roster "
                    f"({', '.join(names) or 'none listed'})", "network_guidance", "members", name)
            continue
        if not isinstance(entry, dict):
            rep.add(f"network_guidance: members.{name} must have fit and why", "network_guidance", "members", name)
            continue
        for key in entry:
            if key not in MEMBER_FIELDS:
                rep.add(f"network_guidance: members.{name}: unknown field {key!r} (allowed: fit, why)",
                        "network_guidance", "members", name, key)
        if entry.get("fit") not in FITS:
            rep.add(f"network_guidance: members.{name}: fit must be one of {', '.join(FITS)}",
                    "network_guidance", "members", name)
        _words(rep, entry.get("why"), MAX_WORDS["why"], f"members.{name}.why", "members", name, "why")
    missing = [n for n in names if n not in members]
    if missing:
        rep.add(f"network_guidance: members needs an entry for {', '.join(missing)}", "network_guidance", "members")


def check_network_guidance(data: dict, rep: Reporter) -> None:
    """Check a vignette's optional network_guidance field (file:line problems through the reporter)."""
    guidance = data.get("network_guidance")
    if "network_guidance" not in data:
        return
    if not isinstance(guidance, dict):
        rep.add(f"network_guidance must be a mapping with {', '.join(FIELDS)}", "network_guidance")
        return
    for key in FIELDS:
        if key not in guidance:
            rep.add(f"network_guidance: missing '{key}'", "network_guidance")
    for key in guidance:
        if key not in FIELDS + OPTIONAL:
            rep.add(f"network_guidance: unknown field '{key}' (allowed: {', '.join(FIELDS + OPTIONAL)})",
                    "network_guidance", key)
    roster = data.get("roster") if isinstance(data.get("roster"), list) else []
    if "circles" in guidance:
        _check_circles(guidance["circles"], roster, rep)
    if "members" in guidance:
        _check_members(guidance["members"], roster, rep)
    for key in ("circles_note", "orientation", "who_else"):
        if key in guidance:
            _words(rep, guidance[key], MAX_WORDS[key], key, key)
    target = guidance.get("orientation_for")
    if target is not None and target not in member_names(roster):
        rep.add("network_guidance: orientation_for must be the full name of a network member in the roster",
                "network_guidance", "orientation_for")


def build_network_guidance(data: dict) -> NetworkGuidance | None:
    """Turn validated data into NetworkGuidance (None when the vignette has none)."""
    guidance = data.get("network_guidance")
    if not guidance:
        return None
    circles = {name: circle for circle in CIRCLES for name in (guidance["circles"].get(circle) or [])}
    members = tuple(MemberGuidance(name, entry["fit"], " ".join(entry["why"].split()))
                    for name, entry in guidance["members"].items())
    return NetworkGuidance(circles=circles, circles_note=" ".join(guidance["circles_note"].split()), members=members,
                           orientation=guidance["orientation"].strip(),
                           orientation_for=str(guidance.get("orientation_for") or ""),
                           who_else=" ".join(str(guidance.get("who_else") or "").split()))


# ---------------------------------------------------------------- the child interview

def age_in_years(person: Person) -> int | None:
    """Return a roster age in whole years ('22 months' and '3 months' count as under two)."""
    if isinstance(person.age, int) and not isinstance(person.age, bool):
        return person.age
    match = re.match(r"\s*(\d+)\s*(month|week|day)?", str(person.age or ""))
    if match is None:
        return None
    number, unit = int(match.group(1)), match.group(2)
    return number // 12 if unit == "month" else (0 if unit else number)


def interview_children(vignette: Vignette) -> list[Person]:
    """Return the children in a case old enough for a Three Houses or Safety House conversation, oldest first."""
    old_enough = [p for p in vignette.children if (age_in_years(p) or 0) >= MIN_INTERVIEW_AGE]
    return sorted(old_enough, key=lambda p: -(age_in_years(p) or 0))
