import pytest

from civiclab.core import ratelimit


def test_it_allows_up_to_the_limit_in_one_window():
    for _ in range(3):
        ratelimit.check("k", limit=3, window=60, now=1000.0)
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.check("k", limit=3, window=60, now=1010.0)
    assert refused.value.retry_after == 60 - (1010 % 60)


def test_it_starts_counting_again_in_the_next_window():
    for _ in range(3):
        ratelimit.check("k", limit=3, window=60, now=1000.0)
    ratelimit.check("k", limit=3, window=60, now=1020.0)  # 1020 is the first second of the next window


def test_keys_are_counted_apart():
    ratelimit.check("a", limit=1, window=60, now=0.0)
    ratelimit.check("b", limit=1, window=60, now=0.0)
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.check("a", limit=1, window=60, now=1.0)


def test_hit_returns_the_running_count():
    assert [ratelimit.hit("c", 10, 60, now=5.0) for _ in range(4)] == [1, 2, 3, 4]
