"""The review's marks (grader findings and trainer comments, cut by course.marks), quote lookup and word diff."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..feedback import category_label
from ..marks import Mark, valid_span


def finding_marks(report: dict | None, text: str, prefix: str = "") -> list[Mark]:
    """Return a mark for each grader finding with a usable span, numbered F1, F2 ... (anchors get the prefix)."""
    marks = []
    for index, finding in enumerate((report or {}).get("findings", []), start=1):
        start, end = finding.get("start"), finding.get("end")
        if valid_span(text, start, end):
            label = category_label(finding.get("category", "finding"))
            marks.append(Mark(start, end, "finding", f"F{index}", f"{prefix}finding-{index}", f"Grader: {label}"))
    return marks


def comment_refs(comments) -> dict[int, str]:
    """Return comment id -> its visible reference label, C1, C2 ... in text order."""
    ordered = sorted(comments, key=lambda c: (c.start, c.id))
    return {c.id: f"C{i}" for i, c in enumerate(ordered, start=1)}


def comment_marks(comments) -> list[Mark]:
    """Return a mark for each inline comment, labelled as comment_refs numbers them."""
    refs = comment_refs(comments)
    return [Mark(c.start, c.end, "comment", refs[c.id], f"comment-{c.id}", "Trainer comment") for c in comments]


def locate(text: str, quote: str, occurrence: int = 1) -> tuple[int, int] | None:
    """Return the span of the n-th occurrence of quote in text (whitespace-tolerant), or None."""
    quote = quote.strip()
    if not quote:
        return None
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    found = list(re.finditer(pattern, text))
    if not found:
        found = list(re.finditer(pattern, text, flags=re.IGNORECASE))
    if not 1 <= occurrence <= len(found):
        return None
    match = found[occurrence - 1]
    return match.start(), match.end()


@dataclass(frozen=True)
class DiffPart:
    """A run of words that stayed, were added or were removed."""

    op: str  # same | added | removed
    text: str


def word_diff(old: str, new: str) -> list[DiffPart]:
    """Return a word-level diff of two texts, keeping the whitespace of each."""
    old_words, new_words = re.findall(r"\S+\s*", old), re.findall(r"\S+\s*", new)
    parts: list[DiffPart] = []
    matcher = difflib.SequenceMatcher(
        a=[w.strip() for w in old_words], b=[w.strip() for w in new_words], autojunk=False
    )
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(DiffPart("same", "".join(new_words[b1:b2])))
            continue
        if a2 > a1:
            parts.append(DiffPart("removed", "".join(old_words[a1:a2])))
        if b2 > b1:
            parts.append(DiffPart("added", "".join(new_words[b1:b2])))
    return parts
