"""Helpers for the Django side of opinion mapping (the standing cast is in tests/conftest.py)."""

from civiclab.deliberation.actions import do_create_conversation, do_join, do_vote

TOPICS = [
    "trees",
    "bikes",
    "buses",
    "schools",
    "libraries",
    "markets",
    "fountains",
    "benches",
    "lights",
    "murals",
    "gardens",
    "playgrounds",
    "bridges",
    "tramways",
    "pools",
    "clinics",
    "theatres",
    "museums",
    "sirens",
    "kiosks",
    "toilets",
    "canals",
    "dunes",
    "orchards",
]
SEEDS = [f"We need more {word} in every district" for word in TOPICS]


def conversation(city, actor, **kwargs):
    kwargs.setdefault("topic", "Cooler streets")
    kwargs.setdefault("slug", "cooler-streets")
    kwargs.setdefault("published", True)
    return do_create_conversation(city, actor, **kwargs)


def vote(conversation, user, tid, value):
    participant = do_join(conversation, user=user)
    do_vote(conversation, participant, tid, value, user=user)
    return participant
