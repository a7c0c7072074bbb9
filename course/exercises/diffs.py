"""Word-level differences between two versions of a statement."""
from __future__ import annotations

import difflib
import re

_TOKEN = re.compile(r"\s+|\w+(?:['’]\w+)*|[^\w\s]", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Split text into words, spaces and punctuation, so that joining them gives the text back."""
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Return (op, text) runs where op is 'same', 'del' or 'ins', comparing word by word."""
    a, b = tokens(old), tokens(new)
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("same", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            runs.append(("del", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            runs.append(("ins", "".join(b[j1:j2])))
    return _merge(runs)


def _merge(runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Join neighbouring runs of the same kind, and drop empty ones."""
    merged: list[tuple[str, str]] = []
    for op, text in runs:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return merged


def diff_counts(runs: list[tuple[str, str]]) -> tuple[int, int]:
    """Return how many words were added and removed."""
    added = sum(len(re.findall(r"\w+", t)) for op, t in runs if op == "ins")
    removed = sum(len(re.findall(r"\w+", t)) for op, t in runs if op == "del")
    return added, removed
