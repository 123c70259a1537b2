"""With REDIS_URL set, cache and sessions live in Redis (shared by several app servers). This runs
against the real Redis at 127.0.0.1:6379 (or $REDIS_URL), on a database of its own."""

import os

import pytest
from django.core.cache import caches
from django.urls import reverse

from civiclab.cities import actions
from civiclab.cities.middleware import custom_domains

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache(settings, worker_id):
    # A key prefix per test worker: parallel workers share the Redis database.
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"civiclab-test-{worker_id}",
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    caches["default"].delete_pattern("*")
    yield caches["default"]
    caches["default"].delete_pattern("*")


def test_the_cache_round_trips_through_redis(redis_cache):
    redis_cache.set("civiclab:probe", {"a": 1}, 30)
    assert redis_cache.get("civiclab:probe") == {"a": 1}
    assert type(redis_cache).__module__.startswith("django_redis")


def test_custom_domains_are_cached_in_redis_and_refreshed_on_change(
    redis_cache, aurora, nadia, django_capture_on_commit_callbacks
):
    assert custom_domains() == {}
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_update_city(aurora, nadia, custom_domain="aurora.example")
    assert custom_domains() == {"aurora.example": "aurora"}


def test_sessions_live_in_redis(redis_cache, client, carol):
    client.force_login(carol)
    assert client.get(reverse("accounts:home")).status_code == 200
    assert redis_cache.get(f"django.contrib.sessions.cache{client.session.session_key}")
