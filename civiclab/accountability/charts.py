"""The geometry of a KPI trend chart, as plain numbers for an SVG template. No Django (checked by mypy).

The template draws what this returns; the page always shows the same data as a table, too."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

WIDTH = 640
HEIGHT = 280
LEFT = 64
RIGHT = 16
TOP = 16
BOTTOM = 40


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    label: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    line: str = ""  # the polyline "x,y x,y ..." of the measurements
    markers: list[Marker] = field(default_factory=list)  # baseline and targets
    target_line: str = ""  # the straight path from the baseline to the last target
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM
    empty: bool = True


def _nice_step(span: float, count: int) -> float:
    raw = span / max(1, count)
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1.0
    if raw < 1:
        magnitude = 1.0
        while magnitude > raw:
            magnitude /= 10
    for multiple in (1, 2, 2.5, 5, 10):
        if multiple * magnitude >= raw:
            return multiple * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    return (
        f"{value:.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")
    )


def build(
    points: list[tuple[date, Decimal]],
    *,
    baseline: tuple[date, Decimal] | None = None,
    targets: list[tuple[date, Decimal]] | None = None,
) -> Chart:
    """Scales the measurements, the baseline and the targets into one frame."""
    targets = targets or []
    everything = list(points) + ([baseline] if baseline else []) + list(targets)
    chart = Chart()
    if not everything:
        return chart
    chart.empty = not points
    days = [d.toordinal() for d, _ in everything]
    values = [float(v) for _, v in everything]
    x0, x1 = min(days), max(days)
    if x1 == x0:
        x1 = x0 + 1
    lo, hi = min(values), max(values)
    if hi == lo:
        hi = lo + 1
    step = _nice_step(hi - lo, 4)
    lo = step * (lo // step)
    hi = step * -(-hi // step)

    def sx(d: date) -> float:
        return round(
            chart.plot_left + (d.toordinal() - x0) / (x1 - x0) * (chart.plot_right - chart.plot_left), 1
        )

    def sy(v: Decimal | float) -> float:
        return round(
            chart.plot_bottom - (float(v) - lo) / (hi - lo) * (chart.plot_bottom - chart.plot_top), 1
        )

    chart.line = " ".join(f"{sx(d)},{sy(v)}" for d, v in points)
    if baseline:
        chart.markers.append(Marker(sx(baseline[0]), sy(baseline[1]), "baseline"))
    for d, v in targets:
        chart.markers.append(Marker(sx(d), sy(v), "target"))
    if baseline and targets:
        path = [baseline, *sorted(targets)]
        chart.target_line = " ".join(f"{sx(d)},{sy(v)}" for d, v in path)
    tick = lo
    while tick <= hi + step / 2:
        chart.y_ticks.append(Tick(sy(tick), _fmt(tick)))
        tick += step
    first_year, last_year = date.fromordinal(x0).year, date.fromordinal(x1).year
    years = list(range(first_year, last_year + 1))
    stride = max(1, len(years) // 8 + (1 if len(years) % 8 else 0)) if len(years) > 8 else 1
    for year in years[::stride]:
        jan = date(year, 1, 1)
        if x0 <= jan.toordinal() <= x1:
            chart.x_ticks.append(Tick(sx(jan), str(year)))
    return chart
