"""Completion rules: `content/completion.yaml`, validated with file:line problems, cached until the file changes.

The file says, module by module, what makes a module complete (its knowledge check passed at a threshold, an
activity done, or, only for a module with neither, the learner's own mark) and which modules and other steps
the certificate needs. The engine that applies the rules lives in `services.py`; this module only reads them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..content_files import CachedFileSet, Problem, Reporter, display_path, is_text, open_mapping_file

RULES_FILE = "completion.yaml"
DEFAULT_PASS_PERCENT = 80
TOP_FIELDS = ("pass_percent", "modules", "certificate")
MODULE_FIELDS = ("required", "counts", "pass_percent", "activity")
COUNTS = ("check", "activity", "mark")
# Each activity type and the field naming what it applies to (None: the type needs no target).
ACTIVITY_TYPES = {"pre_check": None, "drill": "drill", "mapping": "family"}
# The certificate's requirements, in the order the certificate page lists them.
POOL_ID = "key-terms"  # the pre/post check both rules name: content/quizzes/key-terms.yaml
REQUIREMENTS = ("required_modules", "post_check", "evaluation", "accepted_set", "attendance")
ATTENDANCE_FIELDS = ("days", "partial_counts")
COURSE_DAYS = (1, 2)


@dataclass(frozen=True)
class Activity:
    """What a learner does to complete a module that has no knowledge check."""

    type: str  # pre_check | drill | mapping
    target: str | None = None  # the drill id or the family (vignette) id


@dataclass(frozen=True)
class ModuleRule:
    """How one module counts as complete, and whether the certificate needs it."""

    module_id: str
    required: bool
    counts: str  # check | activity | mark
    pass_percent: int | None = None  # this module's own threshold (check modules only)
    activity: Activity | None = None
    line: int = 0


@dataclass(frozen=True)
class AttendanceRule:
    """Which classroom days the trainer's record must cover, and whether a partial day counts."""

    days: tuple[int, ...] = COURSE_DAYS
    partial_counts: bool = True


@dataclass(frozen=True)
class Rules:
    """The whole rules file: the default threshold, each module's rule and the certificate's requirements."""

    pass_percent: int = DEFAULT_PASS_PERCENT
    modules: dict[str, ModuleRule] = field(default_factory=dict)
    requirements: tuple[str, ...] = REQUIREMENTS
    attendance: AttendanceRule | None = AttendanceRule()
    path: str = ""
    line_of_module: dict[str, int] = field(default_factory=dict)

    def rule_for(self, module) -> ModuleRule:
        """Return a module's rule; a module the file does not list gets the built-in default (see default_rule)."""
        return self.modules.get(module.id) or default_rule(module)

    def threshold(self, module) -> int:
        """Return the percentage a module's knowledge check must reach."""
        rule = self.rule_for(module)
        return rule.pass_percent if rule.pass_percent is not None else self.pass_percent


def default_rule(module) -> ModuleRule:
    """Return the rule for a module the file does not list: classroom modules are required; a module with a
    knowledge check counts by it, any other by the learner's mark."""
    return ModuleRule(module.id, required=not module.prework, counts="check" if module.quiz else "mark")


# ---------------------------------------------------------------- parsing

def _percent_ok(value) -> bool:
    """Return whether a value is a whole percentage from 1 to 100."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 100


def _parse_activity(raw, name: str, rep: Reporter, where: tuple) -> Activity | None:
    """Validate an `activity:` mapping and build it, or record what is wrong."""
    if not isinstance(raw, dict) or raw.get("type") not in ACTIVITY_TYPES:
        kinds = ", ".join(ACTIVITY_TYPES)
        rep.add(f"{name}: activity must be a mapping with a type ({kinds}), like {{type: pre_check}}", *where)
        return None
    target_field = ACTIVITY_TYPES[raw["type"]]
    allowed = ("type",) + ((target_field,) if target_field else ())
    for key in raw:
        if key not in allowed:
            rep.add(f"{name}: activity of type {raw['type']} takes only {', '.join(allowed)}, not '{key}'", *where, key)
    if target_field is None:
        return Activity(raw["type"])
    if not is_text(raw.get(target_field)):
        rep.add(f"{name}: an activity of type {raw['type']} needs '{target_field}: <id>'", *where)
        return None
    return Activity(raw["type"], raw[target_field].strip())


def _parse_module(module_id, raw, rep: Reporter) -> ModuleRule | None:
    """Validate one module's entry and build its rule, or record every problem and return None."""
    name, where = f"module '{module_id}'", ("modules", str(module_id))
    if not isinstance(raw, dict):
        rep.add(f"{name}: give a mapping like {{required: true, counts: check}}", *where)
        return None
    before = len(rep.problems)
    for key in raw:
        if key not in MODULE_FIELDS:
            rep.add(f"{name}: unknown field '{key}' (allowed: {', '.join(MODULE_FIELDS)})", *where, key)
    if not isinstance(raw.get("required"), bool):
        rep.add(f"{name}: required must be true or false", *where, *(("required",) if "required" in raw else ()))
    counts = raw.get("counts")
    if counts not in COUNTS:
        rep.add(f"{name}: counts must be one of {', '.join(COUNTS)}, not {counts!r}", *where,
                *(("counts",) if "counts" in raw else ()))
    percent = raw.get("pass_percent")
    if "pass_percent" in raw:
        if not _percent_ok(percent):
            rep.add(f"{name}: pass_percent must be a whole number from 1 to 100, not {percent!r}",
                    *where, "pass_percent")
        elif counts != "check":
            rep.add(f"{name}: pass_percent applies only to a module that counts by its check (counts: check)",
                    *where, "pass_percent")
    activity = None
    if counts == "activity":
        if "activity" not in raw:
            rep.add(f"{name}: counts: activity needs an activity, like {{type: pre_check}}", *where, "counts")
        else:
            activity = _parse_activity(raw["activity"], name, rep, (*where, "activity"))
    elif "activity" in raw:
        rep.add(f"{name}: an activity is only for counts: activity (this module counts by {counts})",
                *where, "activity")
    if len(rep.problems) > before:
        return None
    return ModuleRule(str(module_id), raw["required"], counts, percent, activity, rep.line(*where))


def _parse_attendance(raw, rep: Reporter) -> AttendanceRule | None:
    """Validate the certificate's attendance requirement (false, or a mapping of days and partial_counts)."""
    where = ("certificate", "attendance")
    if raw is False:
        return None
    if not isinstance(raw, dict):
        rep.add("certificate: attendance must be false, or a mapping like {days: [1, 2], partial_counts: true}",
                *where)
        return None
    for key in raw:
        if key not in ATTENDANCE_FIELDS:
            rep.add(f"certificate: attendance: unknown field '{key}' (allowed: {', '.join(ATTENDANCE_FIELDS)})",
                    *where, key)
    days = raw.get("days")
    if not isinstance(days, list) or not days or any(d not in COURSE_DAYS or isinstance(d, bool) for d in days) \
            or len(set(days)) != len(days):
        rep.add("certificate: attendance: days must list course days once each, like [1, 2]", *where,
                *(("days",) if "days" in raw else ()))
        return None
    if not isinstance(raw.get("partial_counts"), bool):
        rep.add("certificate: attendance: partial_counts must be true or false", *where,
                *(("partial_counts",) if "partial_counts" in raw else ()))
        return None
    return AttendanceRule(tuple(sorted(days)), raw["partial_counts"])


def _parse_certificate(raw, rep: Reporter) -> tuple[tuple[str, ...], AttendanceRule | None]:
    """Validate the certificate section; every requirement is listed, true or false, so none is dropped by
    accident."""
    if not isinstance(raw, dict):
        rep.add("certificate must be a mapping of each requirement to true or false: "
                + ", ".join(REQUIREMENTS), "certificate")
        return REQUIREMENTS, AttendanceRule()
    for key in raw:
        if key not in REQUIREMENTS:
            rep.add(f"certificate: unknown requirement '{key}' (known: {', '.join(REQUIREMENTS)})", "certificate", key)
    required = []
    attendance = None
    for key in REQUIREMENTS:
        if key not in raw:
            rep.add(f"certificate: say whether '{key}' is required ({key}: true or {key}: false)", "certificate")
            continue
        if key == "attendance":
            attendance = _parse_attendance(raw[key], rep)
            if attendance is not None:
                required.append(key)
        elif isinstance(raw[key], bool):
            if raw[key]:
                required.append(key)
        else:
            rep.add(f"certificate: {key} must be true or false, not {raw[key]!r}", "certificate", key)
    return tuple(required), attendance


def parse_rules(path: Path) -> tuple[Rules | None, list[Problem]]:
    """Read and validate the rules file; return (rules, []) or (None, every problem found)."""
    data, rep, problems = open_mapping_file(path, "the completion rules must be a mapping with pass_percent, "
                                                  "modules and certificate")
    if problems:
        return None, problems
    for key in data:
        if key not in TOP_FIELDS:
            rep.add(f"unknown field '{key}' (allowed: {', '.join(TOP_FIELDS)})", key)
    percent = data.get("pass_percent")
    if not _percent_ok(percent):
        rep.add(f"pass_percent must be a whole number from 1 to 100, not {percent!r}",
                *(("pass_percent",) if "pass_percent" in data else ()))
    modules: dict[str, ModuleRule] = {}
    raw_modules = data.get("modules")
    if not isinstance(raw_modules, dict) or not raw_modules:
        rep.add("modules must map each module id to its rule, like 'welcome: {required: true, counts: mark}'",
                *(("modules",) if "modules" in data else ()))
    else:
        for module_id, raw in raw_modules.items():
            rule = _parse_module(module_id, raw, rep)
            if rule is not None:
                modules[rule.module_id] = rule
    requirements, attendance = _parse_certificate(data.get("certificate"), rep)
    if rep.problems:
        return None, rep.problems
    lines = {module_id: rule.line for module_id, rule in modules.items()}
    return Rules(percent, modules, requirements, attendance, rep.path, lines), []


# ---------------------------------------------------------------- loading, cached per file

class RulesFile:
    """The rules file of one content folder, reparsed only when it changes (a missing file means the defaults)."""

    def __init__(self, content_dir: str | os.PathLike):
        self.path = Path(content_dir) / RULES_FILE
        self._files = CachedFileSet(Path(content_dir), RULES_FILE, self._parse)

    def _parse(self, paths: list[Path]) -> tuple[Rules | None, list[Problem], bool]:
        """Parse the file if it exists: (rules, problems, present)."""
        if not paths:
            return Rules(path=display_path(self.path)), [], False
        rules, problems = parse_rules(paths[0])
        return rules, problems, True

    def load(self) -> tuple[Rules | None, list[Problem]]:
        """Return (rules, problems): the file's rules, the defaults when it is missing, or None with problems."""
        rules, problems, _ = self._files.get()
        return rules, list(problems)

    def present(self) -> bool:
        """Return whether the content folder has a rules file."""
        return self._files.get()[2]


_files: dict[str, RulesFile] = {}


def rules_file(content_dir: str | os.PathLike) -> RulesFile:
    """Return the shared rules file for a content folder (a per-process cache of the file, not state)."""
    key = str(Path(content_dir))
    if key not in _files:
        _files[key] = RulesFile(key)
    return _files[key]
