from hypothesis import given
from hypothesis import strategies as st

from civiclab.core.contrast import DARK_INK, LIGHT_INK, contrast_ratio, readable_ink


def test_known_ratios():
    assert round(contrast_ratio("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast_ratio("#1f5f8b", "#ffffff"), 2) == 6.84  # worked by hand: L = 0.1034
    assert contrast_ratio("#777777", "#777777") == 1.0


def test_light_backgrounds_get_dark_ink_and_dark_ones_light_ink():
    assert readable_ink("#ffee00") == DARK_INK
    assert readable_ink("#1f5f8b") == LIGHT_INK


@given(st.integers(min_value=0, max_value=0xFFFFFF))
def test_the_chosen_ink_reaches_wcag_aa_on_any_colour(n):
    colour = f"#{n:06x}"
    assert contrast_ratio(colour, readable_ink(colour)) >= 4.5
