"""Vote intake through the real HTTP stack on PostgreSQL: Granian with production settings, 100 voters
at once, some answers changed. No server error, and no vote lost or doubled.

The voters and the server are the ones of bench/vote_intake.py (which measures the rate). `.ci/run` runs
the suite a second time on PostgreSQL; on SQLite this test is skipped.
"""

import pytest
from django.db import connection

from bench.vote_intake import Server, check_votes, make_conversation, run_voters, server_env


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("vote intake is tested on PostgreSQL (DATABASE_URL=postgres://...); this run uses SQLite")
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_a_hundred_concurrent_voters_lose_and_double_nothing(postgres, tmp_path):
    conversation = make_conversation(30)  # committed: the server sees it
    tids = list(conversation.statements.values_list("tid", flat=True))
    with Server(server_env(postgres, tmp_path), workers=4) as server:
        run = run_voters(server.port, "bench-city", conversation.slug, tids, voters=100, votes=8, repeats=4)
    crowd = run["crowd"]
    assert run["server_errors"] == 0 and run["non_200"] == 0, server.tail()
    assert run["requests"] == 100 * 12
    checked = check_votes(crowd, conversation)
    assert checked["participants"] == 100
    assert checked["expected_votes"] == checked["stored_votes"] == 100 * 8
    assert (checked["lost"], checked["doubled"], checked["wrong"]) == (0, 0, 0)
    # Every changed answer replaced the first one: the stored value is the last one cast.
    assert sum(len(v.final) for v in crowd) == 800
