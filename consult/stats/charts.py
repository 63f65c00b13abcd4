"""Accessible bar charts rendered on the server as SVG (no JavaScript, no inline styles).

Each chart has ``role="img"`` with a ``<title>`` and ``<desc>`` (referenced by ``aria-labelledby``), writes
every value next to its bar, and tells the series apart by pattern as well as colour (solid, hatched,
dotted), with a legend. Pages show a data table beside every chart.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

WIDTH, HEIGHT = 720, 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 12, 40, 44
PATTERNS = ("solid", "hatch", "dots")
COLOURS = ("#a61b1b", "#174a85", "#1e6b34")  # design tokens: primary, info, success


@dataclass(frozen=True)
class Series:
    """One set of bars: its name (in the legend) and one value per category (None: no data)."""

    name: str
    values: Sequence[float | int | None]


def _number(value: float | int | None) -> str:
    return "–" if value is None else f"{value:g}"


def percent(value: float | int | None) -> str:
    """A fraction (0…1) as a whole percentage, or an en dash."""
    return "–" if value is None else f"{round(value * 100):d}%"


def _pattern_defs(prefix: str) -> str:
    defs = []
    for index, colour in enumerate(COLOURS):
        pattern = PATTERNS[index]
        ident = f"{prefix}-p{index}"
        if pattern == "solid":
            body = f'<rect width="8" height="8" fill="{colour}"/>'
        elif pattern == "hatch":
            body = (f'<rect width="8" height="8" fill="#ffffff"/>'
                    f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{colour}" stroke-width="2.5"/>')
        else:
            body = (f'<rect width="8" height="8" fill="#ffffff"/>'
                    f'<circle cx="4" cy="4" r="2.2" fill="{colour}"/>')
        defs.append(f'<pattern id="{ident}" width="8" height="8" patternUnits="userSpaceOnUse">{body}</pattern>')
    return "<defs>" + "".join(defs) + "</defs>"


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    fmt: Callable[[float | int | None], str] = _number,
    maximum: float | None = None,
) -> Markup:
    """A grouped vertical bar chart as an SVG string safe to put in a template.

    ``chart_id`` must be unique on the page (it prefixes the ids of the title, description and patterns).
    A category may hold two lines separated by ``\\n`` (e.g. month, then year).
    ``maximum`` fixes the top of the scale (e.g. 1 for rates); by default the largest value.
    """
    series = list(series)[: len(PATTERNS)]
    values = [v for s in series for v in s.values if v is not None]
    top = maximum if maximum is not None else max(values, default=0)
    top = top or 1
    plot_w, plot_h = WIDTH - MARGIN_LEFT - MARGIN_RIGHT, HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    base_y = MARGIN_TOP + plot_h
    slot = plot_w / max(len(categories), 1)
    bar_w = max(min((slot - 8) / max(len(series), 1), 28), 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id={quoteattr(chart_id)}>',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        _pattern_defs(chart_id),
        f'<line class="chart-axis" x1="{MARGIN_LEFT}" y1="{base_y}" x2="{WIDTH - MARGIN_RIGHT}" y2="{base_y}" '
        f'stroke="#57606a"/>',
        f'<text class="chart-scale" x="{MARGIN_LEFT - 6}" y="{MARGIN_TOP + 4}" text-anchor="end">'
        f'{escape(fmt(top))}</text>',
        f'<text class="chart-scale" x="{MARGIN_LEFT - 6}" y="{base_y}" text-anchor="end">{escape(fmt(0))}</text>',
    ]
    legend_x = MARGIN_LEFT
    for index, s in enumerate(series):
        parts.append(
            f'<rect x="{legend_x}" y="8" width="16" height="16" fill="url(#{chart_id}-p{index})" '
            f'stroke="{COLOURS[index]}"/>'
            f'<text class="chart-legend" x="{legend_x + 22}" y="21">{escape(s.name)}</text>'
        )
        legend_x += 30 + 9 * len(s.name) + 8 * sum(ord(ch) > 0x2E80 for ch in s.name)
    group_w = bar_w * len(series)
    for c_index, category in enumerate(categories):
        x0 = MARGIN_LEFT + slot * c_index + (slot - group_w) / 2
        for s_index, s in enumerate(series):
            value = s.values[c_index] if c_index < len(s.values) else None
            height = 0 if value is None else max(plot_h * min(value / top, 1), 0)
            x, y = x0 + bar_w * s_index, base_y - height
            parts.append(
                f'<rect class="chart-bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}" '
                f'fill="url(#{chart_id}-p{s_index})" stroke="{COLOURS[s_index]}"/>'
                f'<text class="chart-value" x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">'
                f'{escape(fmt(value))}</text>'
            )
        centre = MARGIN_LEFT + slot * (c_index + 0.5)
        lines = "".join(
            f'<tspan x="{centre:.1f}" dy="{0 if n == 0 else 15}">{escape(line)}</tspan>'
            for n, line in enumerate(category.split("\n"))
        )
        parts.append(f'<text class="chart-category" y="{base_y + 18}" text-anchor="middle">{lines}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
