"""Lay marks (grader findings, trainer comments) over a text as runs, from character offsets.

Offsets are Python code-point offsets, as the grader reports them. Both the exercise report and
the review screens cut their text here.
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


def segments(text: str, marks: list[Mark]) -> list[Segment]:
    """Split the text at every mark boundary so overlapping marks render as nested-free runs."""
    marks = [m for m in marks if valid_span(text, m.start, m.end)]
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    result = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        covering = [m for m in marks if m.start <= left and m.end >= right]
        seg = Segment(left, text[left:right], {m.kind for m in covering}, [m.title for m in covering],
                      marks=covering)
        seg.ends = [m for m in marks if m.end == right]
        result.append(seg)
    if not result:
        result.append(Segment(0, text))
    return result


def merged_segments(text: str, marks: list[Mark]) -> list[Segment]:
    """Split the text like segments(), but join runs whose marks overlap into one run holding all of them.

    Marks that only touch stay separate runs; marks are listed by start, then end, then given order.
    """
    ordered = sorted(marks, key=lambda m: (m.start, m.end))
    merged: list[Segment] = []
    for seg in segments(text, ordered):
        if merged and any(m.start < seg.start < m.end for m in merged[-1].marks):
            last = merged[-1]
            last.text += seg.text
            last.kinds |= seg.kinds
            last.ends = seg.ends
            new = [m for m in seg.marks if m not in last.marks]
            last.marks = sorted(last.marks + new, key=ordered.index)
            last.titles = [m.title for m in last.marks]
        elif seg.text:
            merged.append(seg)
    return merged
