"""With REDIS_URL set, cache and sessions live in Redis (shared by several app servers). This runs
against the real Redis at 127.0.0.1:6379 (or $REDIS_URL), on a database of its own."""

import os

import pytest
from django.core.cache import caches
from django.urls import reverse

from civiclab.cities import actions
from civiclab.cities.access import city_cache_key, get_city
from civiclab.cities.middleware import custom_domains
from civiclab.cities.models import City
from civiclab.core import nearcache
from civiclab.deliberation.actions import do_moderate_statement
from civiclab.deliberation.selectors import accepted_statement_rows
from tests.deliberation.factories import conversation

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


@pytest.fixture
def near(redis_cache, settings):
    """Redis with the per-process first level in front of it, as production runs it."""
    settings.CACHES = {
        **settings.CACHES,
        "near": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "near-test"},
    }
    settings.NEAR_CACHE_SECONDS = 2
    caches["near"].clear()
    yield caches["near"]
    caches["near"].clear()


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


def test_without_redis_there_is_no_first_level(aurora, settings):
    assert settings.NEAR_CACHE_SECONDS == 0
    get_city("aurora")
    assert caches["near"].get(city_cache_key("aurora")) is None


def test_a_city_read_through_redis_is_kept_in_the_process_for_a_few_seconds(near, aurora, nadia):
    assert get_city("aurora").name == "Aurora"
    # Another server renames the city: its action clears Redis, not this process's memory.
    City.objects.filter(pk=aurora.pk).update(name="Aurora Borealis")
    caches["default"].delete(city_cache_key("aurora"))
    assert get_city("aurora").name == "Aurora"  # for at most NEAR_CACHE_SECONDS
    near.clear()  # those seconds have passed
    assert get_city("aurora").name == "Aurora Borealis"
    assert caches["default"].get(city_cache_key("aurora")).name == "Aurora Borealis"


def test_a_change_made_in_this_process_is_seen_at_once(
    near, aurora, nadia, django_capture_on_commit_callbacks
):
    assert get_city("aurora").name == "Aurora"
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_update_city(aurora, nadia, name="Aurora Borealis")
    assert get_city("aurora").name == "Aurora Borealis"


def test_a_rejected_statement_leaves_the_next_cards_at_once(
    near, aurora, alice, bob, django_capture_on_commit_callbacks
):
    talk = conversation(aurora, alice, seeds=["Plant more trees", "Close the ring road"])
    assert [tid for _pk, tid, _text, _meta in accepted_statement_rows(talk)] == [0, 1]
    with django_capture_on_commit_callbacks(execute=True):
        do_moderate_statement(talk.statements.get(tid=1), bob, status="rejected", reason="Off topic")
    assert [tid for _pk, tid, _text, _meta in accepted_statement_rows(talk)] == [0]


def test_values_written_through_the_first_level_reach_redis(near):
    nearcache.set("civiclab:probe", [1, 2], 30)
    assert caches["default"].get("civiclab:probe") == [1, 2]
    assert near.get("civiclab:probe") == [1, 2]
    nearcache.delete_many(["civiclab:probe"])
    assert caches["default"].get("civiclab:probe") is None and near.get("civiclab:probe") is None
