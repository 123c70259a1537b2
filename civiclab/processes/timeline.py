"""Where a process stands in time. The only place that decides which phase is active.

Pure: works on anything with `starts_at`, `ends_at` and `position`, so models, API schemas and
tests share one definition."""

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from itertools import pairwise
from typing import Protocol, TypeVar


class PhaseLike(Protocol):
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...
    @property
    def position(self) -> int: ...


P = TypeVar("P", bound=PhaseLike)


class Stage(StrEnum):
    UPCOMING = "upcoming"
    ACTIVE = "active"
    BETWEEN = "between"
    FINISHED = "finished"
    UNSCHEDULED = "unscheduled"


def active_phase(phases: Sequence[P], now: datetime) -> P | None:
    """The phase whose half-open interval [starts_at, ends_at) holds `now`.

    Phases never overlap (actions refuse overlaps), so at most one matches; if bad data slipped in,
    the earliest by position wins, deterministically."""
    for phase in sorted(phases, key=lambda p: p.position):
        if phase.starts_at <= now < phase.ends_at:
            return phase
    return None


def stage(phases: Sequence[P], now: datetime) -> Stage:
    if not phases:
        return Stage.UNSCHEDULED
    if active_phase(phases, now) is not None:
        return Stage.ACTIVE
    if now < min(p.starts_at for p in phases):
        return Stage.UPCOMING
    if now >= max(p.ends_at for p in phases):
        return Stage.FINISHED
    return Stage.BETWEEN


def overlaps(phases: Sequence[P]) -> list[tuple[P, P]]:
    """Pairs of phases whose intervals intersect, in order of start."""
    ordered = sorted(phases, key=lambda p: (p.starts_at, p.position))
    return [(a, b) for a, b in pairwise(ordered) if b.starts_at < a.ends_at]


def out_of_order(phases: Sequence[P]) -> bool:
    """True when the order by position differs from the order in time."""
    by_position = sorted(phases, key=lambda p: p.position)
    return any(b.starts_at < a.starts_at for a, b in pairwise(by_position))
