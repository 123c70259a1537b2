"""Ballots through the real HTTP stack on PostgreSQL: Granian with production settings.

- 1,000 verified voters each send their ballot 50 times at once: exactly 1,000 ballots and 1,000 receipts,
  none lost, none doubled, no server error.
- The server is killed with kill -9 while people vote: every acknowledged ballot is still there, and no
  half-written ballot exists (ballots and register rows match one to one).

The voters and the server are those of bench/pb_voting.py. `.ci/run` runs the suite a second time on
PostgreSQL; on SQLite these tests are skipped.
"""

import os
import signal
import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from bench.pb_voting import Server, check_ballots, make_voters, prepare_static, run_sends, server_env
from civiclab.budgeting.models import Ballot, Participation
from tests.conftest import make_budget


@pytest.fixture
def live(transactional_db, tmp_path, aurora):
    if connection.vendor != "postgresql":
        pytest.skip(
            "ballots over HTTP are tested on PostgreSQL (DATABASE_URL=postgres://...); this run uses SQLite"
        )
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    env = server_env(
        f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}", tmp_path
    )
    env["SECRET_KEY"] = settings.SECRET_KEY  # the server must accept the sessions this test signs
    prepare_static(env)
    projects = [(100 + i, f"Project {i}") for i in range(8)]
    budget = make_budget(aurora, slug="live", projects=projects, amount=1_000, min_choices=1)
    return env, budget


def test_a_thousand_voters_sending_fifty_times_at_once_cast_a_thousand_ballots(live):
    env, budget = live
    voters = make_voters(budget, 1000)
    with Server(env, workers=2) as server:
        run = run_sends(server.port, budget, voters, sends=50, threads=100, secret_key=settings.SECRET_KEY)
        log = server.tail()
    assert run["requests"] == 50_000 and run["connection_failures"] == 0, run
    assert run["server_errors"] == 0 and "Internal Server Error" not in log, log
    # Every send was either the ballot (302 to the receipt) or politely refused as a repeat.
    assert set(run["statuses"]) <= {"302", "409", "429", "503"}, run["statuses"]
    checked = check_ballots(budget, voters)
    assert checked["ballots"] == checked["register"] == checked["receipts"] == 1000, checked
    assert checked["acknowledged_missing"] == 0 and checked["voters_with_two_receipts"] == 0
    assert all(len(v.receipts) == 1 for v in voters)


def test_a_killed_server_loses_no_acknowledged_ballot_and_leaves_none_half_written(live):
    env, budget = live
    voters = make_voters(budget, 3000)
    stop = threading.Event()
    with Server(env, workers=2) as server:
        result: dict = {}
        runner = threading.Thread(
            target=lambda: result.update(
                run_sends(
                    server.port,
                    budget,
                    voters,
                    sends=1,
                    threads=50,
                    secret_key=settings.SECRET_KEY,
                    stop=stop,
                )
            )
        )
        runner.start()
        deadline = time.monotonic() + 60
        while Ballot.objects.filter(budget=budget).count() < 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        os.killpg(server.proc.pid, signal.SIGKILL)  # the whole server, mid-vote, with no chance to clean up
        server.proc.wait()
        stop.set()
        runner.join()
    acknowledged = sum(len(v.receipts) for v in voters)
    assert acknowledged >= 200
    assert result["connection_failures"] > 0 or acknowledged < len(voters)  # it really died mid-run
    checked = check_ballots(budget, voters)
    assert checked["acknowledged_missing"] == 0, checked
    # Ballot and register row are written in one transaction: never one without the other.
    assert checked["ballots"] == Participation.objects.filter(budget=budget).count()
    assert checked["ballots"] >= acknowledged
