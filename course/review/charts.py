"""Horizontal bar charts drawn on the server as inline SVG, large enough to read on a projector."""
from __future__ import annotations

import itertools

from markupsafe import Markup, escape

WIDTH = 760
LABEL_CHARS = 70  # longer labels are shortened in the chart; the table beside it has them in full
ROW_HEIGHT = 58
BAR_HEIGHT = 22
_ids = itertools.count(1)


def _short(label: str) -> str:
    """Shorten a label to fit above its bar."""
    label = " ".join(str(label).split())
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def bar_chart(title: str, rows: list[tuple[str, int]], unit: str = "", maximum: int | None = None) -> Markup:
    """Return an SVG bar chart: one bar per (label, value), the value written at the bar's end."""
    chart_id = f"chart-{next(_ids)}"
    top = max([maximum or 0, *(value for _, value in rows), 1])
    height = ROW_HEIGHT * len(rows) + 12
    track = WIDTH - 130
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}: the table below gives the same figures.</title>',
    ]
    for index, (label, value) in enumerate(rows):
        y = index * ROW_HEIGHT + 6
        bar = max(round(track * value / top), 3 if value else 0)
        suffix = f" {unit}" if unit else ""
        parts.append(
            f'<g aria-hidden="true"><text class="chart__label" x="0" y="{y + 18}">{escape(_short(label))}</text>'
            f'<rect class="chart__track" x="0" y="{y + 26}" width="{track}" height="{BAR_HEIGHT}" rx="4"/>'
            f'<rect class="chart__bar" x="0" y="{y + 26}" width="{bar}" height="{BAR_HEIGHT}" rx="4"/>'
            f'<text class="chart__value" x="{bar + 10}" y="{y + 44}">{value}{escape(suffix)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
