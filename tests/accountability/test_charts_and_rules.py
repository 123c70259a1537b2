from datetime import date
from decimal import Decimal

import pytest

from civiclab.accountability import charts, kpimath


def test_the_chart_puts_the_lowest_value_at_the_bottom_and_the_latest_date_at_the_right():
    chart = charts.build(
        [(date(2020, 1, 1), Decimal(10)), (date(2022, 1, 1), Decimal(20))],
        baseline=(date(2020, 1, 1), Decimal(10)),
        targets=[(date(2024, 1, 1), Decimal(30))],
    )
    first, last = (tuple(map(float, p.split(","))) for p in chart.line.split())
    assert first[0] == chart.plot_left and last[1] < first[1]
    assert chart.target_line.split()[1].startswith(str(float(chart.plot_right)))
    assert [t.label for t in chart.x_ticks] == ["2020", "2021", "2022", "2023", "2024"]
    assert chart.y_ticks[0].label == "10" and chart.y_ticks[-1].label == "30"


def test_an_empty_chart_is_marked_empty():
    assert charts.build([]).empty


@pytest.mark.parametrize(
    "latest, expected",
    [
        (None, kpimath.Standing.NO_DATA),
        (Decimal(16), kpimath.Standing.ON_TRACK),
        (Decimal(12), kpimath.Standing.OFF_TRACK),
        (Decimal(25), kpimath.Standing.ON_TRACK),
    ],
)
def test_standing_is_on_track_when_progress_keeps_pace_with_time(latest, expected):
    baseline = kpimath.Point(date(2020, 1, 1), Decimal(10))
    target = kpimath.Point(date(2030, 1, 1), Decimal(20))
    point = kpimath.Point(date(2025, 1, 1), latest) if latest is not None else None
    assert kpimath.standing(baseline, target, point) == expected


def test_a_lower_is_better_kpi_improves_when_it_goes_down():
    assert kpimath.change_from_baseline(Decimal(20), Decimal(15), higher_is_better=False) == pytest.approx(
        0.25
    )


# --- The role matrix: results have no phases, so it is role by permission. -----------------------

PERMS = {
    "accountability.change_result": {"alice", "bob"},
    "accountability.answer_feedback": {"alice", "bob", "erin"},
    "accountability.manage_kpis": {"alice"},
    "accountability.enter_measurements": {"alice", "erin"},
    "accountability.manage_api_tokens": {"alice"},
    "accountability.publish_practice": {"alice"},
    "accountability.replicate_practice": {"alice"},
    "accountability.comment_practice": {"alice", "bob", "erin"},
}


@pytest.mark.parametrize("perm", sorted(PERMS))
@pytest.mark.parametrize("who", ["alice", "bob", "erin", "carol", "dave"])
def test_the_role_matrix(request, aurora, perm, who):
    person = request.getfixturevalue(who)
    assert person.has_perm(perm, aurora) == (who in PERMS[perm])


def test_standing_follows_the_stretch_between_interim_targets():
    baseline = kpimath.Point(date(2020, 1, 1), Decimal(0))
    targets = [kpimath.Point(date(2022, 1, 1), Decimal(50)), kpimath.Point(date(2030, 1, 1), Decimal(60))]
    # Half way to the interim target at half its time: on track, though far from the final target's path.
    assert (
        kpimath.standing_on_path(baseline, targets, kpimath.Point(date(2021, 1, 1), Decimal(25)))
        == "on_track"
    )
    assert (
        kpimath.standing_on_path(baseline, targets, kpimath.Point(date(2021, 1, 1), Decimal(10)))
        == "off_track"
    )
    # After the interim target: measured from it towards the final one.
    assert (
        kpimath.standing_on_path(baseline, targets, kpimath.Point(date(2026, 1, 1), Decimal(55)))
        == "on_track"
    )
    assert kpimath.standing_on_path(baseline, [], kpimath.Point(date(2026, 1, 1), Decimal(55))) == "no_target"


def test_the_target_path_goes_through_the_interim_targets():
    chart = charts.build(
        [(date(2021, 1, 1), Decimal(5))],
        baseline=(date(2020, 1, 1), Decimal(0)),
        targets=[(date(2030, 1, 1), Decimal(60)), (date(2022, 1, 1), Decimal(50))],
    )
    assert len(chart.target_line.split()) == 3
