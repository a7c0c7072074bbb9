"""Lay marks (grader findings, trainer comments) over a text as runs, from character offsets.

Offsets are Python code-point offsets, as the grader reports them. Both the exercise report and
the review screens cut their text here.

Both cutters are one sweep over the sorted mark boundaries: sorting costs O(n log n) and each
mark is added to and taken from the running set once, so a draft with thousands of findings
renders in milliseconds (the old cutters rescanned every mark at every boundary, about n^3).
`segments()` also lists, for each run, every mark covering it, so its output (and cost) grows
with how deeply marks overlap; `merged_segments()` lists each mark once.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mark:
    """A span of the text with a reference shown after it (F1 for a finding, C1 for a comment)."""

    start: int
    end: int
    kind: str  # finding | comment
    ref: str | int  # the visible reference, e.g. "F2" (or a finding's number)
    anchor: str  # the id of the note this mark points to
    title: str  # a short description for the tooltip and screen readers


@dataclass
class Segment:
    """A run of text covered by the same marks; ends lists the marks that end here."""

    start: int
    text: str
    kinds: set[str] = field(default_factory=set)
    titles: list[str] = field(default_factory=list)
    ends: list[Mark] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)  # every mark covering the run

    @property
    def refs(self) -> list:
        """Return the references of the marks covering the run."""
        return [m.ref for m in self.marks]


def valid_span(text: str, start, end) -> bool:
    """Return whether [start, end) is a non-empty span inside the text."""
    return isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)


def _by_offset(marks: list[Mark], offset: str) -> dict[int, list[int]]:
    """Return offset -> the positions (in list order) of the marks starting, or ending, there."""
    found: dict[int, list[int]] = {}
    for position, mark in enumerate(marks):
        found.setdefault(getattr(mark, offset), []).append(position)
    return found


def segments(text: str, marks: list[Mark]) -> list[Segment]:
    """Split the text at every mark boundary so overlapping marks render as nested-free runs.

    Each run lists the marks covering it in the order they were given.
    """
    marks = [m for m in marks if valid_span(text, m.start, m.end)]
    if not marks:
        return [Segment(0, text)]
    starting, ending = _by_offset(marks, "start"), _by_offset(marks, "end")
    cuts = sorted({0, len(text), *starting, *ending})
    active: set[int] = set()  # positions of the marks covering the current run
    result = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        active.difference_update(ending.get(left, ()))
        active.update(starting.get(left, ()))
        covering = [marks[p] for p in sorted(active)]
        result.append(Segment(left, text[left:right], {m.kind for m in covering}, [m.title for m in covering],
                              ends=[marks[p] for p in ending.get(right, ())], marks=covering))
    return result


def merged_segments(text: str, marks: list[Mark]) -> list[Segment]:
    """Split the text like segments(), but join runs whose marks overlap into one run holding all of them.

    Marks that only touch stay separate runs; marks are listed by start, then end, then given order.
    """
    ordered = sorted((m for m in marks if valid_span(text, m.start, m.end)), key=lambda m: (m.start, m.end))
    groups: list[list[Mark]] = []
    reach = -1  # the end of the current group of overlapping marks
    for mark in ordered:
        if groups and mark.start < reach:
            groups[-1].append(mark)
            reach = max(reach, mark.end)
        else:
            groups.append([mark])
            reach = mark.end
    merged: list[Segment] = []
    cursor = 0
    for group in groups:
        start, end = group[0].start, max(m.end for m in group)
        if start > cursor:
            merged.append(Segment(cursor, text[cursor:start]))
        merged.append(Segment(start, text[start:end], {m.kind for m in group}, [m.title for m in group],
                              ends=[m for m in group if m.end == end], marks=group))
        cursor = end
    if cursor < len(text):
        merged.append(Segment(cursor, text[cursor:]))
    return merged
