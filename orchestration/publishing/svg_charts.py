"""Charts as inline SVG, drawn here: no JavaScript, no library, nothing fetched, prints sharply.

Three kinds cover the report: horizontal stacked bars (a table's rows split by its columns),
horizontal grouped bars (two measures side by side) and a line chart (a month trend). Colours are
the Okabe-Ito palette, which readers with a colour vision deficiency can tell apart.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from html import escape

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HIDDEN_COLOUR = "#9e9e9e"
WIDTH = 760
LABEL_WIDTH = 250  # room for the row labels left of the bars
LABEL_CHARS = 34  # a row label wraps after about this many characters
BAR_HEIGHT = 18
ROW_HEIGHT = BAR_HEIGHT + 12
TITLE_HEIGHT = 30
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif" font-size="12"'


@dataclass(frozen=True)
class Bar:
    """One bar: its label, a value per series (None: nothing to draw), and the hidden remainder."""

    label: str
    values: tuple[int | None, ...]
    hidden: int = 0  # the part of the bar's total that public mode does not show per series
    note: str = ""  # shown after the bar, e.g. 'x' when even the total is hidden


def stacked_bars(chart_id: str, title: str, series: list[str], bars: list[Bar], hidden_label: str = "") -> str:
    """A horizontal bar per row, split by series; a hatched grey piece for what public mode hides."""
    totals = [sum(v or 0 for v in bar.values) + bar.hidden for bar in bars]
    scale = _Scale(max(totals, default=0))
    hatch = f"url(#{chart_id}-hatch)"
    legend = [(name, _colour(i)) for i, name in enumerate(series)]
    if any(bar.hidden for bar in bars):
        legend.append((hidden_label, hatch))
    parts, top = _legend(legend)
    parts.insert(0, _hatch(chart_id))
    for row, (bar, total) in enumerate(zip(bars, totals, strict=True)):
        y = top + row * ROW_HEIGHT
        parts.append(_row_label(y + BAR_HEIGHT - 5, bar.label))
        x = LABEL_WIDTH
        pieces = [(v or 0, _colour(i), name) for i, (v, name) in enumerate(zip(bar.values, series, strict=True))]
        for value, fill, name in [*pieces, (bar.hidden, hatch, hidden_label)]:
            if value > 0:
                width = scale.length_of(value)
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="{fill}">'
                    f"<title>{escape(bar.label)}, {escape(name)}: {value}</title></rect>"
                )
                x += width
        parts.append(_text(x + 6, y + BAR_HEIGHT - 5, bar.note or str(total)))
    bottom = top + len(bars) * ROW_HEIGHT
    return _svg(chart_id, title, bottom + 30, [*parts, *_axis(scale, bottom)])


def grouped_bars(chart_id: str, title: str, series: list[str], bars: list[Bar]) -> str:
    """Per row a thin bar per series, side by side; a hidden value shows its label ('x') instead of a bar."""
    scale = _Scale(max((v or 0 for bar in bars for v in bar.values), default=0))
    parts, top = _legend([(name, _colour(i)) for i, name in enumerate(series)])
    thin = BAR_HEIGHT - 4
    group = len(series) * thin + 12
    for row, bar in enumerate(bars):
        y0 = top + row * group
        parts.append(_row_label(y0 + group / 2, bar.label))
        for i, value in enumerate(bar.values):
            y = y0 + i * thin
            if value is None:
                parts.append(_text(LABEL_WIDTH + 4, y + thin - 4, bar.note or "x"))
                continue
            width = scale.length_of(value)
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{thin - 2}" fill="{_colour(i)}">'
                f"<title>{escape(bar.label)}, {escape(series[i])}: {value}</title></rect>"
            )
            parts.append(_text(LABEL_WIDTH + width + 6, y + thin - 4, str(value)))
    bottom = top + len(bars) * group
    return _svg(chart_id, title, bottom + 30, [*parts, *_axis(scale, bottom)])


def line_chart(chart_id: str, title: str, x_labels: list[str], series: dict[str, list[int | None]]) -> str:
    """A line per series over the x labels; a None leaves a gap (a hidden or missing value)."""
    plot_height, left, right = 220, 60, WIDTH - 20
    scale = _Scale(max((v or 0 for values in series.values() for v in values), default=0), length=plot_height)
    step = (right - left) / max(len(x_labels) - 1, 1)
    parts, top = _legend([(name, _colour(i)) for i, name in enumerate(series)], left=left)
    bottom = top + plot_height
    for tick in scale.ticks():
        y = bottom - scale.length_of(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(_text(left - 6, y + 4, str(tick), anchor="end"))
    for i, label in enumerate(x_labels):
        parts.append(_text(left + i * step, bottom + 18, label, anchor="middle"))
    for i, (name, values) in enumerate(series.items()):
        points = [(left + j * step, bottom - scale.length_of(v), v) for j, v in enumerate(values)]
        for run in _unbroken(points):
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in run)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{_colour(i)}" stroke-width="2"/>')
        for (x, y, value), label in zip(points, x_labels, strict=True):
            if value is not None:
                parts.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{_colour(i)}">'
                    f"<title>{escape(name)}, {escape(label)}: {value}</title></circle>"
                )
    return _svg(chart_id, title, bottom + 30, parts)


class _Scale:
    """Maps counts onto pixels, with round tick values (1, 2 or 5 times a power of ten)."""

    def __init__(self, maximum: int, length: float = WIDTH - LABEL_WIDTH - 60) -> None:
        self.step = _nice_step(maximum)
        self.top = max(self.step * math.ceil(maximum / self.step), self.step)
        self.length = length

    def length_of(self, value: int | None) -> float:
        return (value or 0) / self.top * self.length

    def ticks(self) -> list[int]:
        return list(range(0, self.top + 1, self.step))


def _nice_step(maximum: int) -> int:
    if maximum <= 0:
        return 1
    raw = maximum / 5
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    return next((m * power for m in (1, 2, 5, 10) if m * power >= raw), 10 * power)


def _axis(scale: _Scale, y: float) -> list[str]:
    parts = [f'<line x1="{LABEL_WIDTH}" y1="{y}" x2="{LABEL_WIDTH + scale.length}" y2="{y}" stroke="#888"/>']
    for tick in scale.ticks():
        x = LABEL_WIDTH + scale.length_of(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 4}" stroke="#888"/>')
        parts.append(_text(x, y + 16, str(tick), anchor="middle"))
    return parts


def _legend(entries: list[tuple[str, str]], left: float = LABEL_WIDTH) -> tuple[list[str], float]:
    """Legend entries (name, fill) flowing left to right, wrapping at the chart's edge; returns the parts and
    where the chart below it starts."""
    parts, x, y = [], left, 14.0
    for name, fill in entries:
        width = 12 + 6 + _text_width(name) + 18
        if x + width > WIDTH and x > left:
            x, y = left, y + 20
        parts.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{fill}"/>')
        parts.append(_text(x + 18, y, name))
        x += width
    return parts, y + 24


def _text_width(text: str) -> float:
    """Roughly how wide a text of 12 px is: enough to lay out a legend without measuring it."""
    return 6.8 * len(text)


def _row_label(y: float, label: str) -> str:
    """A right-aligned row label left of its bar, on two lines when long."""
    lines = textwrap.wrap(label, width=LABEL_CHARS, max_lines=2, placeholder="…") or [""]
    first = y - 7 * (len(lines) - 1)
    spans = "".join(
        f'<tspan x="{LABEL_WIDTH - 8}" y="{first + 14 * i:.1f}">{escape(line)}</tspan>' for i, line in enumerate(lines)
    )
    return f'<text text-anchor="end" fill="#222">{spans}</text>'


def _colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _hatch(chart_id: str) -> str:
    return (
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#e0e0e0"/><line x1="0" y1="0" x2="0" y2="6" stroke="{HIDDEN_COLOUR}"'
        ' stroke-width="3"/></pattern></defs>'
    )


def _unbroken(points: list[tuple[float, float, int | None]]) -> list[list[tuple[float, float, int | None]]]:
    """The runs of points without a gap, each of at least two points."""
    runs, current = [], []
    for point in points:
        if point[2] is None:
            runs.append(current)
            current = []
        else:
            current.append(point)
    runs.append(current)
    return [run for run in runs if len(run) > 1]


def _text(x: float, y: float, content: str, anchor: str = "start") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="#222">{escape(content)}</text>'


def _svg(chart_id: str, title: str, height: float, parts: list[str]) -> str:
    """The chart with its title on top, visible (for readers and print) and as the SVG's accessible name."""
    return (
        f'<svg id="{chart_id}" class="grafiek" role="img" aria-labelledby="{chart_id}-titel"'
        f' viewBox="0 0 {WIDTH} {height + TITLE_HEIGHT:.0f}" width="{WIDTH}" height="{height + TITLE_HEIGHT:.0f}"'
        f' xmlns="http://www.w3.org/2000/svg" {FONT}>'
        f'<title id="{chart_id}-titel">{escape(title)}</title>'
        f'<text x="0" y="16" font-size="14" font-weight="600" fill="#222">{escape(title)}</text>'
        f'<g transform="translate(0 {TITLE_HEIGHT})">' + "".join(parts) + "</g></svg>"
    )
