"""course.marks: the sweep cutters give the same runs as the plain definition, and their work grows as n log n."""
from __future__ import annotations

import math
import sys
from pathlib import Path

from hypothesis import given, settings, strategies as st

import course.marks as marks_module
from course.marks import Mark, merged_segments, segments
from course.review.marks import comment_marks, finding_marks

# ---------------------------------------------------------------- the plain definition, as an oracle

def reference_segments(text: str, marks: list[Mark]) -> list[tuple]:
    """Cut at every boundary and list, per run, every mark covering it (the definition, quadratic on purpose)."""
    marks = [m for m in marks if 0 <= m.start < m.end <= len(text)]
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    runs = [(left, text[left:right], [m.ref for m in marks if m.start <= left and m.end >= right],
             [m.ref for m in marks if m.end == right]) for left, right in zip(cuts, cuts[1:], strict=False)]
    return runs or [(0, text, [], [])]


def reference_merged(text: str, marks: list[Mark]) -> list[tuple]:
    """Join runs whose boundary lies strictly inside a mark of the run before (the definition)."""
    ordered = sorted((m for m in marks if 0 <= m.start < m.end <= len(text)), key=lambda m: (m.start, m.end))
    cuts = sorted({0, len(text), *(m.start for m in ordered), *(m.end for m in ordered)})
    merged: list[list] = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        covering = [m for m in ordered if m.start <= left and m.end >= right]
        if merged and any(m.start < left < m.end for m in merged[-1][2]):
            merged[-1][1] += text[left:right]
            merged[-1][2] += [m for m in covering if m not in merged[-1][2]]
            merged[-1][3] = [m for m in ordered if m.end == right]
        elif right > left:
            merged.append([left, text[left:right], covering, [m for m in ordered if m.end == right]])
    return [(s, t, sorted((m.ref for m in ms), key=[m.ref for m in ordered].index), [m.ref for m in e])
            for s, t, ms, e in merged]


spans = st.lists(st.tuples(st.integers(-3, 45), st.integers(-3, 45)), max_size=25)


def build_marks(pairs) -> list[Mark]:
    """Return marks with distinct references from (start, end) pairs."""
    return [Mark(s, e, "finding" if i % 3 else "comment", f"R{i}", f"a{i}", f"t{i}") for i, (s, e) in enumerate(pairs)]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), spans)
def test_segments_match_the_definition(text, pairs):
    marks = build_marks(pairs)
    got = [(s.start, s.text, s.refs, [m.ref for m in s.ends]) for s in segments(text, marks)]
    assert got == reference_segments(text, marks)
    assert "".join(s.text for s in segments(text, marks)) == text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), spans)
def test_merged_segments_match_the_definition(text, pairs):
    marks = build_marks(pairs)
    result = merged_segments(text, marks)
    got = [(s.start, s.text, s.refs, [m.ref for m in s.ends]) for s in result]
    assert got == reference_merged(text, marks)
    assert "".join(s.text for s in result) == text
    assert all(s.titles == [m.title for m in s.marks] for s in result)


# ---------------------------------------------------------------- counting the work

class Offset(int):
    """An int that counts every comparison made with it (sorting, scanning, equality)."""

    compared = 0

    def _count(self, other, op):
        Offset.compared += 1
        return op(int(self), int(other))

    def __lt__(self, other):
        return self._count(other, int.__lt__)

    def __le__(self, other):
        return self._count(other, int.__le__)

    def __gt__(self, other):
        return self._count(other, int.__gt__)

    def __ge__(self, other):
        return self._count(other, int.__ge__)

    def __eq__(self, other):
        return self._count(other, int.__eq__)

    def __ne__(self, other):
        return self._count(other, int.__ne__)

    __hash__ = int.__hash__


MARKS_FILE = str(Path(marks_module.__file__).resolve())


def counted_work(func, *args) -> int:
    """Return the comparisons of counted offsets plus the Python lines run inside course/marks.py."""
    lines = 0

    def tracer(frame, event, _arg):
        nonlocal lines
        if frame.f_code.co_filename != MARKS_FILE:
            return None
        if event == "line":
            lines += 1
        return tracer

    Offset.compared = 0
    sys.settrace(tracer)
    try:
        func(*args)
    finally:
        sys.settrace(None)
    return Offset.compared + lines


def heavy_draft(findings: int) -> tuple[str, list[dict]]:
    """Return a draft of judgmental words with one finding per word and every fifth pair of words overlapping."""
    words = ["lazy", "uncooperative", "hostile", "neglectful", "resistant", "manipulative"]
    text, spans = "", []
    for i in range(findings):
        word = words[i % len(words)]
        start = len(text)
        text += word + " "
        spans.append((start, start + len(word)))
    report = []
    for i, (start, end) in enumerate(spans):
        if i % 5 == 4 and i + 1 < len(spans):
            end = spans[i + 1][1]  # a finding that runs over the next word too
        report.append({"start": Offset(start), "end": Offset(end), "category": "judgmental"})
    return text, report


def exercise_marks(findings: int):
    """Return the arguments for merged_segments on a heavy draft (the exercise report)."""
    text, report = heavy_draft(findings)
    return text, [Mark(f["start"], f["end"], "finding", n, f"finding-{n}", "judgmental")
                  for n, f in enumerate(report, start=1)]


class Comment:
    """The fields comment_marks reads from a stored inline comment."""

    def __init__(self, id_, start, end):
        self.id, self.start, self.end = id_, start, end


def review_marks(findings: int):
    """Return the arguments for segments on a heavy draft with a trainer comment every 20 words (the review screen)."""
    text, report = heavy_draft(findings)
    comments = [Comment(i, report[i]["start"], report[i + 1]["end"]) for i in range(0, findings - 1, 20)]
    return text, finding_marks({"findings": report}, text) + comment_marks(comments)


def nlogn_ratio(small: int, large: int) -> float:
    """Return how much n log n grows from small to large."""
    return (large * math.log(large)) / (small * math.log(small))


def test_exercise_marks_grow_no_faster_than_n_log_n():
    small, large = counted_work(merged_segments, *exercise_marks(500)), counted_work(merged_segments,
                                                                                       *exercise_marks(2000))
    assert small > 0
    assert large / small <= nlogn_ratio(500, 2000), (small, large)


def test_review_marks_grow_no_faster_than_n_log_n():
    small, large = counted_work(segments, *review_marks(500)), counted_work(segments, *review_marks(2000))
    assert small > 0
    assert large / small <= nlogn_ratio(500, 2000), (small, large)


def test_counting_sees_a_quadratic_cutter():
    """The counter is not blind: the plain definition's work grows far faster than n log n."""
    small = counted_work(reference_merged, *exercise_marks(100))
    large = counted_work(reference_merged, *exercise_marks(400))
    assert large / small > 2 * nlogn_ratio(100, 400), (small, large)


# ---------------------------------------------------------------- the marked draft, built in Python

TEMPLATE_LOOP = (  # the template loop marked_html replaced, kept as the definition of its output
    '{%- for seg in mark_segments(text, findings) -%}{%- if seg.refs -%}'
    '<mark class="flag"><span class="visually-hidden">[flagged: </span><span class="flag__icon" aria-hidden="true">'
    '\u2691</span>{{ seg.text }}<span class="visually-hidden">]</span>'
    '{%- for n in seg.refs %}<sup class="flag__ref"><a href="#finding-{{ n }}" aria-label="finding {{ n }}">'
    '{{ n }}</a></sup>{% endfor -%}</mark>{%- else -%}{{ seg.text }}{%- endif -%}{%- endfor -%}'
)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab <&>\"'😀\n"), max_size=30), spans)
def test_marked_html_matches_the_template_loop(text, pairs):
    from jinja2 import Environment

    from course.feedback import mark_segments, marked_html

    findings = [{"start": s, "end": e, "category": "judgmental"} for s, e in pairs]
    expected = Environment(autoescape=True).from_string(TEMPLATE_LOOP).render(
        text=text, findings=findings, mark_segments=mark_segments)
    assert str(marked_html(text, findings)) == expected


def test_identical_findings_fold_into_one_note():
    from course.feedback import finding_notes

    same = {"category": "judgmental", "severity": "warning", "text": "lazy", "message": "m", "suggestion": "s"}
    other = dict(same, text="hostile")
    notes = finding_notes([same, other, dict(same, text="Lazy"), same])
    assert [(n.number, n.others, n.count) for n in notes] == [(1, [3, 4], 3), (2, [], 1)]
    assert str(notes[0].anchors) == '<span id="finding-3"></span><span id="finding-4"></span>'
