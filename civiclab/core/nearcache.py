"""A few seconds of per-process memory in front of the shared cache, for what every request reads.

With Redis as the cache, every cached lookup is a network round trip: a vote made six (the city, the
custom domains, the conversation's rules, its statements, the participant, the rate limit), and the
round trips cost more CPU than the vote itself. What changes rarely (cities, conversation rules, a
conversation's statements) is kept here too, for NEAR_CACHE_SECONDS. A change clears this process's
copy at once (through `delete_many`); other processes see it within those seconds. Without Redis the
default cache is already in the process, and this layer is off (NEAR_CACHE_SECONDS = 0)."""

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches


def _seconds() -> int:
    return settings.NEAR_CACHE_SECONDS


def get(key: str) -> Any:
    seconds = _seconds()
    if not seconds:
        return cache.get(key)
    near = caches["near"]
    value = near.get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            near.set(key, value, seconds)
    return value


def set(key: str, value: Any, timeout: int) -> None:
    cache.set(key, value, timeout)
    if seconds := _seconds():
        caches["near"].set(key, value, min(seconds, timeout))


def get_or_set(key: str, default: Callable[[], Any], timeout: int) -> Any:
    value = get(key)
    if value is None:
        value = default()
        set(key, value, timeout)
    return value


def delete_many(keys: Iterable[str]) -> None:
    keys = list(keys)
    cache.delete_many(keys)
    if _seconds():
        caches["near"].delete_many(keys)
