import pytest
from hypothesis import given
from hypothesis import strategies as st

from civiclab.surveys.disclosure import K, safe_count, suppress


def test_it_shows_counts_of_ten_or_more_only():
    assert safe_count(10) == 10
    assert safe_count(9) is None
    assert safe_count(0) is None


def test_it_hides_small_cells_without_a_total():
    assert suppress({"a": 12, "b": 3, "c": 0}) == {"a": 12, "b": None, "c": None}


def test_it_hides_a_second_cell_when_one_alone_could_be_worked_out_from_the_total():
    shown = suppress({"a": 30, "b": 12, "c": 4}, partition_of=46)
    assert shown == {"a": 30, "b": None, "c": None}


def test_it_hides_a_whole_group_whose_total_is_too_small():
    assert suppress({"a": 5, "b": 4}, partition_of=9) == {"a": None, "b": None}


def test_it_refuses_a_partition_that_does_not_add_up():
    with pytest.raises(ValueError):
        suppress({"a": 5}, partition_of=9)


@given(st.dictionaries(st.integers(0, 8), st.integers(0, 60), max_size=8))
def test_no_shown_count_is_ever_small_and_no_lone_cell_is_hidden(counts):
    total = sum(counts.values())
    shown = suppress(counts, partition_of=total)
    assert all(v is None or v >= K for v in shown.values())
    hidden = [k for k, v in shown.items() if v is None]
    assert len(hidden) != 1 or len(counts) == 1
    for key, value in shown.items():
        assert value is None or value == counts[key]
