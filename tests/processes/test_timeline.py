from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from civiclab.processes.timeline import Stage, active_phase, out_of_order, overlaps, stage

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class P:
    starts_at: datetime
    ends_at: datetime
    position: int


def consecutive(lengths_days: list[int], gap_days: int = 0) -> list[P]:
    phases, start = [], T0
    for i, days in enumerate(lengths_days):
        phases.append(P(start, start + timedelta(days=days), i))
        start += timedelta(days=days + gap_days)
    return phases


def test_the_phase_holding_now_is_active_and_its_end_is_exclusive():
    a, b = consecutive([10, 10])
    assert active_phase([a, b], T0) is a
    assert active_phase([a, b], a.ends_at - timedelta(microseconds=1)) is a
    assert active_phase([a, b], a.ends_at) is b
    assert active_phase([a, b], b.ends_at) is None


def test_stages_cover_before_between_and_after():
    phases = consecutive([10, 10], gap_days=5)
    assert stage(phases, T0 - timedelta(days=1)) == Stage.UPCOMING
    assert stage(phases, T0 + timedelta(days=12)) == Stage.BETWEEN
    assert stage(phases, T0 + timedelta(days=1)) == Stage.ACTIVE
    assert stage(phases, T0 + timedelta(days=100)) == Stage.FINISHED
    assert stage([], T0) == Stage.UNSCHEDULED


def test_overlaps_and_order_are_detected():
    a, b = consecutive([10, 10])
    late = P(a.starts_at + timedelta(days=5), a.ends_at + timedelta(days=5), 2)
    assert overlaps([a, b]) == []
    assert overlaps([a, late]) == [(a, late)]
    assert not out_of_order([a, b])
    assert out_of_order([P(b.starts_at, b.ends_at, 0), P(a.starts_at, a.ends_at, 1)])


@given(
    st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=8),
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=-30, max_value=400),
)
def test_at_most_one_phase_is_active_and_it_contains_now(lengths, gap, offset_days):
    phases = consecutive(lengths, gap)
    now = T0 + timedelta(days=offset_days, hours=7)
    holding = [p for p in phases if p.starts_at <= now < p.ends_at]
    assert len(holding) <= 1
    assert active_phase(phases, now) == (holding[0] if holding else None)
    assert (stage(phases, now) == Stage.ACTIVE) == bool(holding)
    assert active_phase(list(reversed(phases)), now) == active_phase(phases, now)
