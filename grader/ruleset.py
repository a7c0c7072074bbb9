"""Load and validate the rule data under grader/rules/."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .vocabulary import CATEGORIES, ERROR_CATEGORIES, KINDS, QUESTION_TYPES, SEVERITIES, VOCABULARY

RULES_DIR = Path(__file__).parent / "rules"
RULE_TYPES = ("lexicon", "pattern", "regex", "question", "passive", "readability", "structure")
NON_ERROR_CATEGORIES = tuple(c for c in CATEGORIES if c not in ERROR_CATEGORIES)
NON_RULE_FILES = ("lexicons.yaml", "vocabulary.yaml", "danger_types.yaml")
MATCH_ATTRS = ("LOWER", "ORTH", "LEMMA")


class RuleFileError(ValueError):
    """A rule file or entry is malformed; the message names the file and entry."""


@dataclass(frozen=True)
class Rule:
    """One rule entry: what to look for, and what to tell the writer."""

    id: str
    category: str
    severity: str
    type: str
    message: str
    suggestion: str
    source: str
    kinds: tuple[str, ...]
    examples_flag: tuple[str, ...]
    examples_pass: tuple[str, ...]
    file: str
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def opt(self, key: str, default: Any = None) -> Any:
        """Return a type-specific option."""
        return self.options.get(key, default)


@dataclass(frozen=True)
class RuleSet:
    """Every rule plus the word lists, components and question types."""

    rules: tuple[Rule, ...]
    components: dict[str, tuple[dict[str, str], ...]]
    question_types: tuple[tuple[str, tuple[str, ...]], ...]

    def by_id(self, rule_id: str) -> Rule:
        """Return the rule with this id."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def _fail(path: Path, where: str, problem: str) -> RuleFileError:
    """Build an error naming the file and entry."""
    return RuleFileError(f"{path.name}: {where}: {problem}")


def _read_yaml(path: Path) -> Any:
    """Parse one YAML file, naming it in any error."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RuleFileError(f"{path.name}: not valid YAML: {exc}") from exc


def _str_list(value: Any, path: Path, where: str, key: str, required: bool = True) -> tuple[str, ...]:
    """Validate a list of non-empty strings."""
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, where, f"'{key}' must be a non-empty list of strings")
    return tuple(value)


def _check_patterns(value: Any, path: Path, where: str) -> list:
    """Validate Matcher token patterns: a list of lists of dicts."""
    if not isinstance(value, list) or not value:
        raise _fail(path, where, "'patterns' must be a non-empty list of token patterns")
    for pattern in value:
        if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) and t for t in pattern):
            raise _fail(path, where, f"token pattern {pattern!r} must be a list of non-empty dicts")
    return value


def _type_options(entry: dict, rtype: str, path: Path, where: str) -> dict[str, Any]:
    """Validate and collect the options of one rule type."""
    opts: dict[str, Any] = {}
    for key in ("unless_next", "unless_prev", "unless_next_pos", "mark_tokens", "except_lemmas", "except_aux",
                "except_get_lemmas", "not_agents", "negated_harms"):
        if key in entry:
            opts[key] = frozenset(
                x.lower() if key != "unless_next_pos" else x for x in _str_list(entry[key], path, where, key)
            )
    for flag in ("unless_in_context_clause", "unless_reported"):
        if flag in entry:
            if not isinstance(entry[flag], bool):
                raise _fail(path, where, f"'{flag}' must be true or false")
            opts[flag] = entry[flag]
    if rtype == "lexicon":
        opts["terms"] = _str_list(entry.get("terms"), path, where, "terms")
        attr = entry.get("attr", "LOWER")
        if attr not in MATCH_ATTRS:
            raise _fail(path, where, f"'attr' must be one of {', '.join(MATCH_ATTRS)}")
        opts["attr"] = attr
        opts["acronym"] = bool(entry.get("acronym", False))
        expansions = entry.get("expansions", {}) or {}
        if not isinstance(expansions, dict):
            raise _fail(path, where, "'expansions' must map each acronym to a list of phrases")
        opts["expansions"] = {k: _str_list(v, path, where, f"expansions.{k}") for k, v in expansions.items()}
    elif rtype == "pattern":
        opts["patterns"] = _check_patterns(entry.get("patterns"), path, where)
    elif rtype == "regex":
        raw = _str_list(entry.get("patterns"), path, where, "patterns")
        flags = 0 if entry.get("case") else re.IGNORECASE
        try:
            opts["regexes"] = tuple(re.compile(p, flags) for p in raw)
        except re.error as exc:
            raise _fail(path, where, f"bad regex: {exc}") from exc
    elif rtype == "question":
        opts["lexicons"] = _str_list(entry.get("lexicons"), path, where, "lexicons", required=False)
    elif rtype == "readability":
        limits = {k: entry[k] for k in ("max_sentence_words", "max_grade") if k in entry}
        if len(limits) != 1 or not all(isinstance(v, (int, float)) and v > 0 for v in limits.values()):
            raise _fail(path, where, "a readability rule needs one positive 'max_sentence_words' or 'max_grade'")
        opts.update(limits)
    elif rtype == "structure":
        if entry.get("check") not in ("no_question", "worker_only"):
            raise _fail(path, where, "a structure rule needs 'check: no_question' or 'check: worker_only'")
        opts["check"] = entry["check"]
    return opts


def _parse_rule(entry: Any, index: int, defaults: dict, path: Path) -> Rule:
    """Validate one rule entry against the file defaults."""
    where = f"entry {index}"
    if not isinstance(entry, dict):
        raise _fail(path, where, "each rule must be a mapping")
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+", rule_id or ""):
        raise _fail(path, where, f"'id' must look like 'group.name', got {rule_id!r}")
    where = f"entry {index} ({rule_id})"
    merged = {**defaults, **entry}
    category = merged.get("category")
    if category not in ERROR_CATEGORIES + NON_ERROR_CATEGORIES:
        raise _fail(path, where, f"unknown category {category!r}")
    severity = merged.get("severity")
    if severity not in SEVERITIES:
        raise _fail(path, where, f"'severity' must be one of {', '.join(SEVERITIES)}")
    if (category in ERROR_CATEGORIES) != (severity == "error"):
        raise _fail(
            path,
            where,
            f"category {category} must have severity {'error' if category in ERROR_CATEGORIES else 'warning or info'}",
        )
    rtype = merged.get("type")
    if rtype not in RULE_TYPES:
        raise _fail(path, where, f"'type' must be one of {', '.join(RULE_TYPES)}")
    for key in ("message", "suggestion", "source"):
        if not isinstance(merged.get(key), str) or not merged[key].strip():
            raise _fail(path, where, f"'{key}' is required")
    kinds = _str_list(merged.get("kinds", list(KINDS)), path, where, "kinds")
    if bad := [k for k in kinds if k not in KINDS]:
        raise _fail(path, where, f"unknown kinds {bad}")
    examples = entry.get("examples")
    if not isinstance(examples, dict):
        raise _fail(path, where, "'examples' with 'flag' and 'pass' lists is required")
    return Rule(
        id=rule_id,
        category=category,
        severity=severity,
        type=rtype,
        message=merged["message"].strip(),
        suggestion=merged["suggestion"].strip(),
        source=merged["source"].strip(),
        kinds=kinds,
        examples_flag=_str_list(examples.get("flag"), path, where, "examples.flag"),
        examples_pass=_str_list(examples.get("pass"), path, where, "examples.pass"),
        file=path.name,
        options=_type_options(merged, rtype, path, where),
    )


def load_rule_file(path: Path) -> tuple[list[Rule], list]:
    """Load one rule file; return its rules and any question types it defines."""
    data = _read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RuleFileError(f"{path.name}: must be a mapping with a 'rules' list")
    defaults = {k: data[k] for k in ("category", "severity", "source", "kinds", "type", "unless_reported") if k in data}
    rules = [_parse_rule(entry, i, defaults, path) for i, entry in enumerate(data["rules"])]
    types = []
    for i, entry in enumerate(data.get("types", []) or []):
        if not isinstance(entry, dict) or entry.get("type") not in QUESTION_TYPES:
            raise _fail(path, f"types entry {i}", f"'type' must be one of {', '.join(QUESTION_TYPES)}")
        where = f"types entry {i} ({entry['type']})"
        cues = _str_list(entry.get("cues"), path, where, "cues")
        for cue in cues:
            if cue.startswith("re:"):
                try:
                    re.compile(cue[3:])
                except re.error as exc:
                    raise _fail(path, where, f"bad cue regex {cue!r}: {exc}") from exc
        types.append((entry["type"], tuple(c if c.startswith("re:") else c.lower() for c in cues)))
    return rules, types


def _components() -> dict[str, tuple[dict[str, str], ...]]:
    """The component list of every kind, from the vocabulary."""
    return {
        kind: tuple({"id": c.id, "label": c.label, "hint": c.hint} for c in k.components)
        for kind, k in VOCABULARY.kinds.items()
    }


def load_ruleset(directory: Path | str | None = None) -> RuleSet:
    """Load every rule file in a directory, validating ids and structure."""
    directory = Path(directory) if directory else RULES_DIR
    rules: list[Rule] = []
    types: list = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name in NON_RULE_FILES:
            continue
        file_rules, file_types = load_rule_file(path)
        for rule in file_rules:
            if rule.id in seen:
                raise RuleFileError(f"{path.name}: rule id {rule.id!r} already defined in {seen[rule.id]}")
            seen[rule.id] = path.name
        rules.extend(file_rules)
        types.extend(file_types)
    if not rules:
        raise RuleFileError(f"{directory}: no rule files found")
    return RuleSet(
        rules=tuple(rules),
        components=_components(),
        question_types=tuple(types),
    )


@lru_cache(maxsize=1)
def default_ruleset() -> RuleSet:
    """Load the packaged rules once."""
    return load_ruleset(RULES_DIR)
