"""Shared plumbing for course content files: problems at file:line, YAML line lookup, and a cache
that reparses a set of files only when one of them changes."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a content file, at a line."""

    path: str
    line: int
    message: str
    warning: bool = False  # reported, but does not fail `content check`

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {'warning: ' if self.warning else ''}{self.message}"


def display_path(path: Path) -> str:
    """Return the path relative to the working directory when possible, for messages."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def is_text(value) -> bool:
    """Return whether the value is non-empty text."""
    return isinstance(value, str) and bool(value.strip())


# ---------------------------------------------------------------- the cache

class CachedFileSet(Generic[T]):
    """The files matching a pattern in a folder, parsed together and reparsed when any file changes.

    The signature is each file's (name, mtime_ns, size), plus whatever `extra` returns, so asking on
    every request costs a few stat calls.
    """

    def __init__(self, directory: str | os.PathLike, pattern: str, parse: Callable[[list[Path]], T],
                 extra: Callable[[], Hashable] | None = None):
        self.directory = Path(directory)
        self.pattern = pattern
        self._parse = parse
        self._extra = extra
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._value: T | None = None

    def paths(self) -> list[Path]:
        """Return the matching files, sorted by name."""
        return sorted(self.directory.glob(self.pattern)) if self.directory.is_dir() else []

    def signature(self) -> tuple:
        """Return the names, modification times and sizes of the files (and the extra part, if any)."""
        entries = []
        for path in self.paths():
            try:
                stat = path.stat()
            except FileNotFoundError:  # removed between the listing and the stat
                continue
            entries.append((path.name, stat.st_mtime_ns, stat.st_size))
        files = tuple(entries)
        return files if self._extra is None else (files, self._extra())

    def get(self) -> T:
        """Return the parsed value, reparsing first if any file changed since the last parse."""
        signature = self.signature()
        if signature != self._signature:
            with self._lock:
                if signature != self._signature:
                    self._value = self._parse(self.paths())
                    self._signature = signature
        return self._value


# ---------------------------------------------------------------- reading YAML with its lines

def read_yaml(path: Path, shown: str) -> tuple[yaml.Node | None, Any, list[Problem]]:
    """Read a YAML file as (composed root, data, problems); an unreadable file gives one problem at its line."""
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except UnicodeDecodeError as exc:
        return None, None, [Problem(shown, 1, f"not valid UTF-8 text ({exc.reason})")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        return None, None, [Problem(shown, mark_line(mark), f"not valid YAML: {getattr(exc, 'problem', exc)}")]
    except ValueError as exc:  # parsed, but a value cannot be built, e.g. the date 2001-13-45
        return None, None, [Problem(shown, 1, f"not valid YAML: {exc}")]
    except RecursionError:
        return None, None, [Problem(shown, 1, "not valid YAML: nested too deeply")]
    return root, data, []


def mark_line(mark: yaml.Mark | None) -> int:
    """Return the 1-based line of a YAML mark as an editor counts it: by "\\n" only.

    YAML also breaks lines at U+0085, U+2028 and U+2029, so its own line numbers can run past the
    end of the file as a person sees it.
    """
    if mark is None:
        return 1
    if mark.buffer is None:
        return mark.line + 1
    return mark.buffer.count("\n", 0, mark.index) + 1


def child(node: yaml.Node | None, key: str | int) -> yaml.Node | None:
    """Return a mapping value (by key) or sequence entry (by index) of a composed node."""
    if isinstance(node, yaml.MappingNode) and isinstance(key, str):
        return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]
    return None


def key_lines(node: yaml.Node | None) -> dict[str, int]:
    """Map each key of a mapping node to its 1-based line ({} for anything else)."""
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if isinstance(k, yaml.ScalarNode):
                lines.setdefault(k.value, mark_line(k.start_mark))  # a repeated key: its first line, as child() finds
    return lines


def entry_lines(node: yaml.Node | None) -> dict[int, int]:
    """Map each entry of a sequence node, by index, to the 1-based line where it starts."""
    if not isinstance(node, yaml.SequenceNode):
        return {}
    return {i: mark_line(entry.start_mark) for i, entry in enumerate(node.value)}


def line_of(root: yaml.Node | None, *keys: str | int) -> int:
    """Return the 1-based line of the deepest part of the path that exists (a key's own line for mappings)."""
    node, line = root, (mark_line(root.start_mark) if root is not None else 1)
    for key in keys:
        if isinstance(key, str):
            found = key_lines(node).get(key)
            if found is None:
                break
            line = found
        nxt = child(node, key)
        if nxt is None:
            break
        if isinstance(key, int):
            line = mark_line(nxt.start_mark)
        node = nxt
    return line


class Reporter:
    """Collects one file's problems at the line of each path in its YAML."""

    def __init__(self, path: str, root: yaml.Node | None):
        self.path = path
        self.root = root
        self.problems: list[Problem] = []

    def line(self, *keys: str | int) -> int:
        """Return the line of the path (see line_of)."""
        return line_of(self.root, *keys)

    def add(self, message: str, *keys: str | int) -> None:
        """Record a problem at the line of the path."""
        self.problems.append(Problem(self.path, self.line(*keys), message))


def open_mapping_file(path: Path, what: str) -> tuple[dict | None, Reporter | None, list[Problem]]:
    """Read a YAML file that must hold a mapping: (data, reporter) when it does, else the problems."""
    shown = display_path(path)
    root, data, problems = read_yaml(path, shown)
    if problems:
        return None, None, problems
    rep = Reporter(shown, root)
    if not isinstance(data, dict):
        rep.add(what)
        return None, None, rep.problems
    return data, rep, []


class ContentLibrary(Generic[T]):
    """The valid entries of a folder's content files and the problems found, cached until the files change.

    Subclasses set `pattern` and write `_load(paths) -> (entries, problems)`; entries have an `id`.
    """

    pattern = "*.yaml"

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self._files = CachedFileSet(self.directory, self.pattern, self._load, self._extra_signature)

    def _load(self, paths: list[Path]) -> tuple[list[T], list[Problem]]:
        """Parse the files into (valid entries in order, problems)."""
        raise NotImplementedError

    def _extra_signature(self) -> Hashable:
        """Return anything besides the files that the entries depend on (nothing by default)."""
        return ()

    def all(self) -> list[T]:
        """Return every valid entry, in the library's order."""
        return list(self._files.get()[0])

    def problems(self) -> list[Problem]:
        """Return the problems found in the files."""
        return list(self._files.get()[1])

    def get(self, entry_id: str) -> T | None:
        """Return one entry by id, or None."""
        return next((e for e in self._files.get()[0] if e.id == entry_id), None)
