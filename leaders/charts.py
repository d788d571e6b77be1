"""Server-side bar charts of the statistics pages: geometry only, drawn as SVG by
templates/leaders/stats/_chart.html (no JavaScript, no CDN).

A chart fits a 390 px phone: a fixed viewBox scaled to 100 % of the width. It is an
image with a title and a description (role="img"); the table beside it holds the
numbers. A value hidden by R-PR-5 (None) is drawn as a small hatched marker of fixed
height, and the scale is computed from the shown values only, so the picture leaks
nothing about it.
"""

import math
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 360, 190
LEFT, RIGHT, TOP, BOTTOM = 46, 10, 12, 30
HIDDEN_MARK = 5  # px: the hatched marker of a value below 10 (R-PR-5)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    hidden: bool


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    bars: list[Bar]
    y_ticks: list[Label]
    x_labels: list[Label]
    has_hidden: bool
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def nice_step(peak: int, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 × 10^k) so that `ticks` steps reach `peak`."""
    raw = max(peak, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return max(1, int(factor * magnitude))
    return int(10 * magnitude)  # pragma: no cover (the loop always returns)


def _short_day(day: date) -> str:
    return date_format(day, "d.m")


def bar_chart(*, chart_id: str, title: str, days: list[date], values: list[int | None]) -> Chart:
    """One bar per day; None is a value hidden by R-PR-5."""
    # The first and last day's labels align with the plot's edges, so none is cut off.
    labels = {0: _short_day(days[0])} if days else {}
    if len(days) > 2:
        labels[len(days) // 2] = _short_day(days[len(days) // 2])
    if len(days) > 1:
        labels[len(days) - 1] = _short_day(days[-1])
    if days:
        description = _("Daily figures from %(first)s to %(last)s; the table lists every day.") % {
            "first": date_format(days[0], "SHORT_DATE_FORMAT"),
            "last": date_format(days[-1], "SHORT_DATE_FORMAT"),
        }
    else:
        description = ""
    return _chart(chart_id=chart_id, title=title, values=values, labels=labels, description=description)


def hour_chart(*, chart_id: str, title: str, values: list[int]) -> Chart:
    """One bar per local hour of the day, 0 to 23 (the owner's figures: when his
    visitors come)."""
    labels = {hour: f"{hour:02d}:00" for hour in (0, 6, 12, 18, 23)}
    description = _("Check-ins by the hour of the day they were made; the table lists every hour.")
    return _chart(chart_id=chart_id, title=title, values=list(values), labels=labels, description=description)


def _chart(*, chart_id: str, title: str, values: list[int | None], labels: dict[int, str], description: str) -> Chart:
    """The bars of `values`, labelled under the bars whose index `labels` names."""
    shown = [value for value in values if value is not None]
    peak = max(shown, default=0)
    step = nice_step(peak)
    top_value = step * max(1, math.ceil(peak / step))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(values), 1)
    bar_w = max(slot * 0.78, 1.0)
    baseline = HEIGHT - BOTTOM
    bars = []
    for n, value in enumerate(values):
        x = round(LEFT + n * slot + (slot - bar_w) / 2, 2)
        if value is None:
            bars.append(Bar(x=x, y=baseline - HIDDEN_MARK, width=round(bar_w, 2), height=HIDDEN_MARK, hidden=True))
        else:
            height = round(plot_h * value / top_value, 2)
            bars.append(Bar(x=x, y=round(baseline - height, 2), width=round(bar_w, 2), height=height, hidden=False))
    y_ticks = [
        Label(
            x=LEFT - 5, y=round(baseline - plot_h * tick / top_value, 2), text=number_format(tick, force_grouping=True)
        )
        for tick in range(0, top_value + 1, step)
    ]
    last = len(values) - 1
    x_labels = [
        Label(
            x=LEFT if n == 0 else WIDTH - RIGHT if n == last else round(LEFT + (n + 0.5) * slot, 2),
            y=HEIGHT - 10,
            text=text,
            anchor="start" if n == 0 else "end" if n == last else "middle",
        )
        for n, text in sorted(labels.items())
    ]
    if len(shown) < len(values):
        description += " " + _("Hatched marks: fewer than 10.")
    return Chart(
        id=chart_id,
        title=title,
        description=description,
        bars=bars,
        y_ticks=y_ticks,
        x_labels=x_labels,
        has_hidden=len(shown) < len(values),
    )
