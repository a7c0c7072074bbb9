"""Server-drawn bar charts as inline SVG, each titled and described for screen readers."""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_HEIGHT = 20
BAR_HEIGHT = 16
BAR_GAP = 4
GROUP_GAP = 14
VALUE_SPACE = 190  # room at the right of the longest bar for its value text
LABEL_CHARS = 72  # characters per label line at 14px across the chart width


@dataclass(frozen=True)
class Series:
    """One kind of bar in a chart, with its legend name and colour class."""

    name: str
    css: str  # chart__bar--a, chart__bar--b ...
    fill: str  # fallback colour for viewers without the stylesheet


@dataclass(frozen=True)
class Group:
    """A labelled group of bars (one per series); values None draw a note instead of bars."""

    label: str
    values: tuple[float | None, ...]
    texts: tuple[str, ...]
    note: str = ""


SERIES_A = Series("", "chart__bar--a", "#0b5563")
SERIES_B = Series("", "chart__bar--b", "#8a4b08")
SERIES_C = Series("", "chart__bar--c", "#5c4d8a")


def wrap(text: str, width: int = LABEL_CHARS) -> list[str]:
    """Split a label into lines of at most `width` characters, breaking between words."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line else lines or [""]


def _legend(series: list[Series], y: int) -> tuple[str, int]:
    """Return SVG for a legend row and the next free y."""
    if len(series) < 2:
        return "", y
    parts, x = [], 0
    for s in series:
        parts.append(f'<rect x="{x}" y="{y}" width="14" height="14" class="{s.css}" fill="{s.fill}"/>'
                     f'<text x="{x + 20}" y="{y + 12}" class="chart__text">{escape(s.name)}</text>')
        x += 40 + 8 * len(s.name)
    return "".join(parts), y + 26


def bar_chart(
    chart_id: str, title: str, desc: str, series: list[Series], groups: list[Group], max_value: float
) -> Markup:
    """Return an inline SVG bar chart: each group's label above its bars, values at the bar ends."""
    legend, y = _legend(series, 0)
    body = [legend]
    scale = (WIDTH - VALUE_SPACE) / max_value if max_value else 0
    for group in groups:
        for line in wrap(group.label):
            body.append(f'<text x="0" y="{y + 14}" class="chart__label">{escape(line)}</text>')
            y += LABEL_HEIGHT
        if group.note:
            body.append(f'<text x="0" y="{y + 13}" class="chart__note">{escape(group.note)}</text>')
            y += BAR_HEIGHT + BAR_GAP
        else:
            for s, value, text in zip(series, group.values, group.texts, strict=True):
                width = max(0.0, (value or 0) * scale)
                body.append(
                    f'<rect x="0" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" class="{s.css}" fill="{s.fill}"/>'
                    f'<text x="{width + 6:.1f}" y="{y + 13}" class="chart__value">{escape(text)}</text>'
                )
                y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP
    height = max(y, 20)
    return Markup(
        f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>'
        + "".join(body) + "</svg>"
    )


def _fmt(value: float | None) -> str:
    """Return a mean for display."""
    return "" if value is None else f"{value:.1f}"


def module_ratings_chart(rows, hidden_note: str) -> Markup:
    """Return the chart of mean usefulness and clarity per module (1-5)."""
    series = [Series("Usefulness", SERIES_A.css, SERIES_A.fill), Series("Clarity", SERIES_B.css, SERIES_B.fill)]
    groups = [Group(r.title, (r.usefulness, r.clarity),
                    (f"usefulness {_fmt(r.usefulness)} of 5", f"clarity {_fmt(r.clarity)} of 5"),
                    note=hidden_note if r.hidden else "") for r in rows]
    shown = [r for r in rows if not r.hidden]
    desc = (f"Mean ratings from 1 to 5 for {len(shown)} of {len(rows)} modules; modules with fewer than 5 "
            "responses are hidden. The table below gives the same numbers.")
    return bar_chart("chart-modules", "Module ratings: usefulness and clarity", desc, series, groups, 5)


def confidence_chart(objectives) -> Markup:
    """Return the chart of mean confidence before and after the course per objective (1-5)."""
    series = [
        Series("Before the course", SERIES_B.css, SERIES_B.fill),
        Series("After the course", SERIES_A.css, SERIES_A.fill),
    ]
    groups = [
        Group(
            f"{o.number}. {o.text}",
            (o.before, o.after),
            (f"before {_fmt(o.before)}", f"after {_fmt(o.after)} (gain {o.gain:+.1f})" if o.gain is not None else ""),
        )
        for o in objectives
    ]
    gains = [o.gain for o in objectives if o.gain is not None]
    desc = ("Mean self-rated confidence from 1 to 5, before and after the course, for each of the ten objectives"
            + (f"; gains range from {min(gains):+.1f} to {max(gains):+.1f}." if gains else ".")
            + " The table below gives the same numbers.")
    return bar_chart("chart-confidence", "Confidence before and after, per objective", desc, series, groups, 5)


def funnel_chart(stages) -> Markup:
    """Return the completion funnel: learners reaching each stage, with the share of those who joined."""
    joined = stages[0][2] if stages else 0
    groups = []
    for _, label, count in stages:
        share = f" ({round(100 * count / joined)}%)" if joined else ""
        groups.append(Group(label, (count,), (f"{count}{share}",)))
    desc = "; ".join(f"{label}: {count}" for _, label, count in stages) + ". The table below gives the same numbers."
    return bar_chart("chart-funnel", "Completion funnel: learners reaching each stage", desc,
                     [SERIES_A], groups, max(joined, 1))


def growth_chart(cells, hidden_note: str) -> Markup:
    """Return, per statement kind, the share of accepted drafts the checker found ready at their first check,
    when first sent to the trainer and when accepted (the growth a trend shows at a glance; the table beside it
    has every figure)."""
    series = [Series("At the first check", SERIES_B.css, SERIES_B.fill),
              Series("When first sent", SERIES_C.css, SERIES_C.fill),
              Series("When accepted", SERIES_A.css, SERIES_A.fill)]
    groups, said = [], []
    for cell in cells:
        if cell.hidden or not cell.n:
            groups.append(Group(cell.label, (None, None, None), ("", "", ""),
                                note=hidden_note if cell.hidden else "none yet"))
            continue
        counts = (cell.ready_first, cell.ready_submitted, cell.ready_accepted)
        shares = tuple(100 * count / cell.n for count in counts)
        groups.append(Group(cell.label, shares, tuple(f"{share:.0f}% ready ({count} of {cell.n})"
                                                      for share, count in zip(shares, counts, strict=True))))
        said.append(f"{cell.label}: {shares[0]:.0f}% at the first check, {shares[1]:.0f}% when first sent, "
                    f"{shares[2]:.0f}% when accepted")
    desc = ("Share of accepted statements the checker found ready, at their first check, when first sent to the "
            "trainer and when accepted, per "
            "kind" + (": " + "; ".join(said) if said else "; no kind has enough statements to show") + ". "
            "The table below gives every figure.")
    return bar_chart("chart-growth", "Drafts ready at the first check and when accepted", desc, series, groups, 100)
