"""Server-side SVG charts for a day's view: traffic by hour and the channel mix, as pictures, not tables.

Each chart is a pure function of its numbers returning SVG markup ready for a template. Every piece of text in
it (a channel's name comes from the file) goes through :func:`markupsafe.escape`, so the markup is safe to mark
as such. No script, no external reference: the page's Content-Security-Policy has nothing to allow.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

PALETTE = ("#2f6fde", "#e0822b", "#2aa36b", "#c2417a", "#7a5bd6", "#8a8f1f", "#1f9bb3", "#b5532f")
"""Channel colours, in order of share; the eighth and later channels reuse them."""
BAR = "#2f6fde"
HOURS = 24


def _text(x: float, y: float, text: str, anchor: str = "middle", size: int = 11) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="#333">{escape(text)}</text>')


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
                  f'height="{height}" role="img" aria-label="{escape(label)}">'
                  f'<title>{escape(label)}</title>{"".join(body)}</svg>')


def hourly_chart(counts: Sequence[int], label: str = "Messages by hour (UTC)") -> Markup:
    """24 bars, one per hour of the day; each bar's tooltip says its hour and count."""
    if len(counts) != HOURS or any(count < 0 for count in counts):
        raise ValueError("hourly_chart takes 24 non-negative counts")
    width, height, left, bottom, top = 540, 200, 40, 24, 16
    plot_width, plot_height = width - left - 8, height - bottom - top
    slot = plot_width / HOURS
    peak = max(counts) or 1
    body = [f'<line x1="{left}" y1="{top + plot_height}" x2="{width - 8}" y2="{top + plot_height}" stroke="#999"/>',
            _text(left - 4, top + 4, str(max(counts)), anchor="end"), _text(left - 4, top + plot_height, "0", "end")]
    for hour, count in enumerate(counts):
        bar = plot_height * count / peak
        x = left + hour * slot + 1
        body.append(f'<rect class="bar" x="{x:.1f}" y="{top + plot_height - bar:.1f}" width="{slot - 2:.1f}" '
                    f'height="{bar:.1f}" fill="{BAR}"><title>{hour:02d}:00: {count}</title></rect>')
        if hour % 3 == 0:
            body.append(_text(x + slot / 2, height - 8, f"{hour:02d}"))
    return _svg(width, height, label, body)


def channel_chart(mix: Sequence[tuple[str, int]], label: str = "Messages by channel") -> Markup:
    """One horizontal bar per channel, longest first, with its count and share."""
    if any(count < 0 for _, count in mix):
        raise ValueError("channel_chart takes non-negative counts")
    ordered = sorted(mix, key=lambda item: (-item[1], item[0]))
    total = sum(count for _, count in ordered) or 1
    peak = max((count for _, count in ordered), default=0) or 1
    width, row, left, right = 540, 26, 130, 110
    height = max(row, row * len(ordered)) + 8
    body = [] if ordered else [_text(width / 2, row / 2 + 8, "no messages")]
    for index, (name, count) in enumerate(ordered):
        y = 4 + index * row
        bar = (width - left - right) * count / peak
        colour = PALETTE[index % len(PALETTE)]
        body.append(_text(left - 6, y + 16, name, anchor="end", size=12))
        body.append(f'<rect class="bar" x="{left}" y="{y + 3}" width="{bar:.1f}" height="{row - 8}" '
                    f'fill="{colour}"><title>{escape(name)}: {count}</title></rect>')
        body.append(_text(left + bar + 6, y + 16, f"{count} ({100 * count / total:.0f}%)", anchor="start"))
    return _svg(width, height, label, body)
