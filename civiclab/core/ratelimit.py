"""A fixed-window rate limit in the Django cache (Redis in production, so all app servers share it).

Each (key, window) pair is one cache counter that expires with its window. Fixed windows allow a burst
of up to twice the limit across a window boundary; that is good enough to stop floods and costs one
cache round trip per check.
"""

import time

from django.core.cache import cache


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"rate limited, retry after {retry_after} s")
        self.retry_after = retry_after


def hit(key: str, limit: int, window: int, now: float | None = None) -> int:
    """Counts one hit for `key` in the current window of `window` seconds and returns the count so far."""
    now = time.time() if now is None else now
    bucket = int(now // window)
    cache_key = f"ratelimit:{key}:{window}:{bucket}"
    if cache.add(cache_key, 1, timeout=window + 1):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=window + 1)
        return 1


def check(key: str, limit: int, window: int, now: float | None = None) -> None:
    """Counts one hit and raises RateLimited when it goes over `limit` in the current window."""
    now = time.time() if now is None else now
    if hit(key, limit, window, now) > limit:
        raise RateLimited(retry_after=max(1, int(window - now % window)))
