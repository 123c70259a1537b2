"""How a KPI stands against its target: pure arithmetic on plain values, no Django (checked by mypy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Standing(StrEnum):
    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"
    NO_TARGET = "no_target"


@dataclass(frozen=True)
class Point:
    day: date
    value: Decimal


def progress_share(baseline: Decimal, target: Decimal, value: Decimal) -> float | None:
    """How far from the baseline towards the target `value` is: 0 at the baseline, 1 at the target.
    Negative when it went the wrong way. None when the target equals the baseline."""
    if target == baseline:
        return None
    return float((value - baseline) / (target - baseline))


def change_from_baseline(baseline: Decimal, value: Decimal, higher_is_better: bool) -> float | None:
    """The relative improvement since the baseline (positive is better, whatever the direction)."""
    if baseline == 0:
        return None
    change = float((value - baseline) / abs(baseline))
    return change if higher_is_better else -change


def standing(
    baseline: Point,
    target: Point | None,
    latest: Point | None,
    *,
    tolerance: float = 0.05,
) -> Standing:
    """On track when the latest value is at least as far along the straight path from the baseline to
    the target as the time elapsed (less a small tolerance), or when the target is already reached."""
    if latest is None:
        return Standing.NO_DATA
    if target is None:
        return Standing.NO_TARGET
    share = progress_share(baseline.value, target.value, latest.value)
    if share is None:
        reached = latest.value == target.value
        return Standing.ON_TRACK if reached else Standing.OFF_TRACK
    if share >= 1:
        return Standing.ON_TRACK
    span = (target.day - baseline.day).days
    elapsed = (latest.day - baseline.day).days
    expected = 1.0 if span <= 0 else min(1.0, max(0.0, elapsed / span))
    return Standing.ON_TRACK if share >= expected - tolerance else Standing.OFF_TRACK


def segment(baseline: Point, targets: list[Point], day: date) -> tuple[Point, Point | None]:
    """The stretch of the path that `day` falls in: from the baseline or the last target before `day`,
    to the first target on or after it (the final target once all dates have passed)."""
    start, ordered = baseline, sorted(targets, key=lambda p: p.day)
    for target in ordered:
        if target.day >= day:
            return start, target
        start = target
    return (start, None) if not ordered else (ordered[-2] if len(ordered) > 1 else baseline, ordered[-1])


def standing_on_path(baseline: Point, targets: list[Point], latest: Point | None) -> Standing:
    """Like `standing`, against the stretch between interim targets that the latest value falls in."""
    if latest is None:
        return Standing.NO_DATA
    if not targets:
        return Standing.NO_TARGET
    start, target = segment(baseline, targets, latest.day)
    return standing(start, target, latest)


def per_thousand(value: Decimal, population: int | None) -> Decimal | None:
    if not population:
        return None
    return value * 1000 / Decimal(population)
