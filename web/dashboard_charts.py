"""Charts as inline SVG, drawn on the server: no JavaScript, no chart library, no CDN.

The page's Content-Security-Policy forbids inline styles, so the SVG uses geometry
attributes only and CSS classes (``web/static/dashboard.css``) for colours and type. Every
bar carries ``data-key`` and ``data-value`` (what tests and assistive tools read) and a
``<title>`` tooltip, and its label and value are written as SVG text (read by screen
readers and copied with the page).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from markupsafe import Markup

from web.dashboard_format import thai_short_date

WIDTH = 640
ROW = 26
LABEL_W = 190
VALUE_W = 64
TOP = 8
DAY_WIDTH = 960


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: a machine key, the label people read, its value."""

    key: str
    label: str
    value: int


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _svg(
    chart_id: str, title: str, height: int, body: list[str], width: int = WIDTH, wide: bool = False
) -> Markup:
    head = (
        f'<svg class="chart{" wide" if wide else ""}" id="{_attr(chart_id)}" role="img" '
        f'aria-labelledby="{_attr(chart_id)}-title" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{_attr(chart_id)}-title">{escape(title)}</title>'
    )
    return Markup(head + "".join(body) + "</svg>")


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar]) -> Markup:
    """Horizontal bars, one row per item, the value written at the end of each bar."""
    if not bars:
        return _svg(
            chart_id,
            title,
            ROW + 2 * TOP,
            [f'<text class="empty" x="0" y="{TOP + 17}">ไม่มีข้อมูล</text>'],
        )
    top = max(b.value for b in bars) or 1
    span = WIDTH - LABEL_W - VALUE_W
    body: list[str] = []
    for i, b in enumerate(bars):
        y = TOP + i * ROW
        w = round(span * b.value / top, 1) if b.value else 0
        body.append(
            f'<g class="row" data-key="{_attr(b.key)}" data-value="{b.value}">'
            f'<text class="label" x="{LABEL_W - 8}" y="{y + 17}" text-anchor="end">'
            f"{escape(b.label)}</text>"
            f'<rect class="bar" x="{LABEL_W}" y="{y + 4}" width="{w}" height="{ROW - 8}">'
            f"<title>{escape(b.label)}: {b.value:,}</title></rect>"
            f'<text class="value" x="{LABEL_W + w + 6}" y="{y + 17}">{b.value:,}</text>'
            "</g>"
        )
    return _svg(chart_id, title, TOP * 2 + ROW * len(bars), body)


def day_chart(chart_id: str, title: str, days: Sequence[tuple[date, int]]) -> Markup:
    """Columns per day with a few date labels below and the highest count on the axis."""
    width, height, bottom, left = DAY_WIDTH, 220, 40, 36
    plot_h = height - bottom - TOP
    n = max(1, len(days))
    step = (width - left) / n
    top = max((v for _, v in days), default=0) or 1
    body = [
        f'<line class="axis" x1="{left}" y1="{TOP + plot_h}" x2="{width}" y2="{TOP + plot_h}"/>',
        f'<text class="tick" x="{left - 4}" y="{TOP + 10}" text-anchor="end">{top:,}</text>',
        f'<text class="tick" x="{left - 4}" y="{TOP + plot_h}" text-anchor="end">0</text>',
    ]
    every = max(1, round(n / 6))
    for i, (day, value) in enumerate(days):
        x = left + i * step
        h = round(plot_h * value / top, 1)
        body.append(
            f'<g class="row" data-key="{day.isoformat()}" data-value="{value}">'
            f'<rect class="bar" x="{x + step * 0.1:.1f}" y="{TOP + plot_h - h:.1f}" '
            f'width="{max(1.0, step * 0.8):.1f}" height="{h}">'
            f"<title>{escape(thai_short_date(day))} {day.year + 543}: {value:,}</title></rect>"
            "</g>"
        )
        if i % every == 0:
            body.append(
                f'<text class="tick" x="{x + step / 2:.1f}" y="{TOP + plot_h + 18}" '
                f'text-anchor="middle">{escape(thai_short_date(day))}</text>'
            )
    return _svg(chart_id, title, height, body, width, wide=True)
