"""The glossary's terms: load `content/glossary.yml`, validated with file:line problems, cached until it changes.

Shared content, like the vignettes: the glossary page lists the terms, the module renderer links
their first use (course/curriculum/glossary_links.py) and the classroom game asks about them.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from flask import current_app, has_app_context

from .config import DEFAULTS
from .content_files import (
    CachedFileSet,
    Problem,
    display_path as _display_path,
    is_text as _text,
    line_of,
    mark_line,
    read_yaml,
)

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIRED = ("term", "slug", "definition", "example", "module")
ALLOWED = REQUIRED + ("aliases",)


@dataclass(frozen=True)
class Term:
    """A glossary entry: the term, the forms that link to it, its meaning, an example and the module that teaches it."""

    term: str
    slug: str
    definition: str
    example: str
    module: str
    aliases: tuple[str, ...] = ()
    line: int = 0

    @property
    def forms(self) -> tuple[str, ...]:
        """Return the term and its aliases: every wording that links to it."""
        return (self.term, *self.aliases)


def parse_glossary(path: Path) -> tuple[list[Term], list[Problem]]:
    """Parse and validate the glossary file; return the valid terms and every problem."""
    shown = _display_path(path)
    if not path.exists():
        return [], [Problem(shown, 0, "the glossary file is missing")]
    root, data, problems = read_yaml(path, shown)
    if problems:
        return [], problems
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        return [], [Problem(shown, 1, "the glossary must be a list of entries, each starting with '- term:'")]
    terms, problems = [], []
    for index, (entry, node) in enumerate(zip(data, root.value, strict=True)):
        term, found = _parse_entry(entry, node, index, shown)
        problems.extend(found)
        if term is not None and not found:
            terms.append(term)
    problems.extend(_duplicate_problems(terms, shown))
    return terms, problems


def _parse_entry(entry, node: yaml.Node, index: int, shown: str) -> tuple[Term | None, list[Problem]]:
    """Validate one entry and build its Term."""
    if not isinstance(entry, dict):
        return None, [
            Problem(
                shown, mark_line(node.start_mark), f"entry #{index + 1} must be a mapping with {', '.join(REQUIRED)}"
            )
        ]
    name = f"term '{entry['term']}'" if _text(entry.get("term")) else f"entry #{index + 1}"
    problems = []
    for key in entry:
        if key not in ALLOWED:
            problems.append(
                Problem(shown, line_of(node, key), f"{name}: unknown field '{key}' (allowed: {', '.join(ALLOWED)})")
            )
    for key in REQUIRED:
        if not _text(entry.get(key)):
            problems.append(Problem(shown, line_of(node, key), f"{name}: missing '{key}'"))
    if _text(entry.get("slug")) and not SLUG_PATTERN.match(entry["slug"]):
        problems.append(
            Problem(shown, line_of(node, "slug"), f"{name}: slug must be lower-case words joined by hyphens")
        )
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(_text(a) for a in aliases):
        problems.append(Problem(shown, line_of(node, "aliases"), f"{name}: aliases must be a list of words or phrases"))
        aliases = []
    if problems:
        return None, problems
    return Term(term=entry["term"].strip(), slug=entry["slug"], definition=entry["definition"].strip(),
                example=entry["example"].strip(), module=entry["module"].strip(),
                aliases=tuple(a.strip() for a in aliases), line=mark_line(node.start_mark)), []


def _duplicate_problems(terms: list[Term], shown: str) -> list[Problem]:
    """Return a problem for each slug, term or alias used by more than one entry."""
    problems = []
    slugs: dict[str, Term] = {}
    forms: dict[str, Term] = {}
    for term in terms:
        if term.slug in slugs:
            problems.append(
                Problem(
                    shown,
                    term.line,
                    f"term '{term.term}': slug '{term.slug}' is already used by '{slugs[term.slug].term}'",
                )
            )
        slugs.setdefault(term.slug, term)
        for form in term.forms:
            other = forms.get(form.lower())
            if other is not None and other is not term:
                problems.append(
                    Problem(shown, term.line, f"term '{term.term}': '{form}' already links to '{other.term}'")
                )
            forms.setdefault(form.lower(), term)
    return problems


class Glossary:
    """The glossary file, reloaded when it changes."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._file = CachedFileSet(self.path.parent, self.path.name, lambda _paths: parse_glossary(self.path))

    def terms(self) -> list[Term]:
        """Return every valid term, alphabetically."""
        return sorted(self._file.get()[0], key=lambda t: t.term.lower())

    def problems(self) -> list[Problem]:
        """Return the problems found in the file."""
        return list(self._file.get()[1])


_glossaries: dict[str, Glossary] = {}


def glossary_for(content_dir: str | os.PathLike) -> Glossary:
    """Return the shared glossary for a content folder (a per-process cache of the file)."""
    key = str(Path(content_dir, "glossary.yml").resolve())
    if key not in _glossaries:
        _glossaries[key] = Glossary(key)
    return _glossaries[key]


def all_terms(content_dir: str | None = None) -> list[Term]:
    """Return every glossary term, alphabetically."""
    directory = content_dir or (current_app.config["CONTENT_DIR"] if has_app_context() else DEFAULTS["CONTENT_DIR"])
    return glossary_for(directory).terms()
