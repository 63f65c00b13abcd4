"""Presenting results: the terminal table and progress bar, the JSON file, the growth plot as SVG."""

import json
import sys
from html import escape
from pathlib import Path

COLUMNS = [("scenario", 34), ("req/s", 8), ("p50 ms", 8), ("p99 ms", 9), ("errors", 7), ("RSS MB", 7),
           ("vs ref", 7), ("target", 30)]


def progress_bar(label: str, fraction: float, detail: str, width: int = 24) -> None:
    """One line redrawn in place (on a terminal) with a bar of ``fraction``."""
    fraction = max(0.0, min(1.0, fraction))
    filled = int(width * fraction)
    line = f"  [{'#' * filled}{'.' * (width - filled)}] {label[:40]:<40} {detail}"
    if sys.stdout.isatty():
        print("\r" + line.ljust(110), end="", flush=True)


def end_progress() -> None:
    if sys.stdout.isatty():
        print("\r" + " " * 110 + "\r", end="", flush=True)


def header() -> str:
    return " ".join(f"{name:<{width}}" for name, width in COLUMNS)


def row(title: str, result: dict, ratio: float | None, target: str) -> str:
    cells = [title, f"{result['rps']:.1f}", f"{result['p50_ms']:.1f}", f"{result['p99_ms']:.1f}",
             str(result["errors"]), f"{result.get('peak_rss_mb', 0):.0f}",
             f"{ratio:.0%}" if ratio is not None else "—", target]
    return " ".join(f"{cell[:width]:<{width}}" for cell, (_, width) in zip(cells, COLUMNS, strict=True))


def write_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def growth_svg(points: list[dict], path: Path, title: str) -> None:
    """Latency (p50 and p99 of the first and the deep page) against comment count, log-scaled x axis."""
    import math

    width, height, left, right, top, bottom = 720, 420, 70, 180, 40, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    series = [("draft_first", "p50_ms", "first page p50", "#1f6feb", ""),
              ("draft_first", "p99_ms", "first page p99", "#1f6feb", "6 4"),
              ("draft_deep", "p50_ms", "deep page p50", "#d1242f", ""),
              ("draft_deep", "p99_ms", "deep page p99", "#d1242f", "6 4")]
    xs = [p["comments"] for p in points]
    ys = [p[s][k] for p in points for s, k, *_ in series if s in p]
    x_lo, x_hi = math.log10(min(xs)), math.log10(max(xs))
    if x_hi == x_lo:
        x_hi += 1
    y_hi = max(ys + [1.0]) * 1.15

    def px(x: float) -> float:
        return left + (math.log10(x) - x_lo) / (x_hi - x_lo) * plot_w

    def py(y: float) -> float:
        return top + plot_h - y / y_hi * plot_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
             '<rect width="100%" height="100%" fill="white"/>',
             f'<text x="{left}" y="22" font-size="15">{escape(title)}</text>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="black"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="black"/>']
    for i in range(6):
        y = y_hi * i / 5
        parts.append(f'<line x1="{left - 4}" y1="{py(y):.1f}" x2="{left + plot_w}" y2="{py(y):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 8}" y="{py(y) + 4:.1f}" text-anchor="end">{y:.0f}</text>')
    for x in xs:
        parts.append(f'<text x="{px(x):.1f}" y="{top + plot_h + 18}" text-anchor="middle">{x:,}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 10}" text-anchor="middle">comments on the draft (log scale)</text>')
    parts.append(f'<text x="16" y="{top + plot_h / 2}" transform="rotate(-90 16 {top + plot_h / 2})" '
                 'text-anchor="middle">latency (ms)</text>')
    for n, (scenario, key, label, colour, dash) in enumerate(series):
        coords = [(px(p["comments"]), py(p[scenario][key])) for p in points if scenario in p]
        if not coords:
            continue
        path_d = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(coords))
        parts.append(f'<path d="{path_d}" fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>')
        parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in coords)
        ly = top + 10 + n * 20
        parts.append(f'<line x1="{left + plot_w + 15}" y1="{ly}" x2="{left + plot_w + 45}" y2="{ly}" '
                     f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>')
        parts.append(f'<text x="{left + plot_w + 50}" y="{ly + 4}">{escape(label)}</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n")
