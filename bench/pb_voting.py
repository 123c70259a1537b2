"""Ballot casting of participatory budgeting through the real HTTP stack: Granian with production settings
on PostgreSQL, signed-in and verified voters posting the ballot form (CSRF included), as browsers do.

    .venv/bin/python bench/pb_voting.py       # PostgreSQL at $DATABASE_URL, or civiclab_bench_ballots

Measures sustained casting (each voter casts one ballot; 50 voters at once) and writes
bench/results/pb-voting.json. The same voters (`make_voters`, `run_sends`) drive the tests in
tests/budgeting/test_live_voting.py: 1,000 voters sending their ballot 50 times at once, and a kill -9 of
the server during voting. Load only ever goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import queue
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.vote_intake import HOST, Server, log, server_env  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "pb-voting.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/civiclab_bench_ballots"
CITY, SLUG = "pb-bench-city", "bench-budget"
RECEIPT_SALT = "pb-receipt"


@dataclass
class Voter:
    n: int
    session: str
    csrf: str
    projects: list[str]
    statuses: list[int] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)  # one per acknowledged ballot


def make_voters(budget, count: int, seed: int = 7) -> list[Voter]:
    """`count` signed-in voters, each verified for `budget`, with a session as a sign-in would leave it.

    Made in bulk (no password hashing), because the subject is casting, not signing in."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from civiclab.accounts.models import User
    from civiclab.budgeting.models import Verification

    tag = secrets.token_hex(4)
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(email=f"voter{i}-{tag}@bench.example", password=unusable) for i in range(count)]
    )
    users = list(User.objects.filter(email__endswith=f"-{tag}@bench.example").order_by("pk"))
    Verification.objects.bulk_create(
        [
            Verification(
                city=budget.city,
                budget=budget,
                user=u,
                identity_hash=f"{tag}-{u.pk:055d}",
                method="in_person",
            )
            for u in users
        ]
    )
    backend = "django.contrib.auth.backends.ModelBackend"
    assert backend in settings.AUTHENTICATION_BACKENDS
    engine = import_module(settings.SESSION_ENGINE)
    keys = []
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        store = engine.SessionStore()
        expire = timezone.now() + dt.timedelta(hours=2)
        rows = []
        for u in users:
            data = {
                SESSION_KEY: str(u.pk),
                BACKEND_SESSION_KEY: backend,
                HASH_SESSION_KEY: u.get_session_auth_hash(),
            }
            keys.append(secrets.token_hex(16))
            rows.append(Session(session_key=keys[-1], session_data=store.encode(data), expire_date=expire))
        Session.objects.bulk_create(rows)
    else:  # sessions in the cache (Redis in production)
        for u in users:
            store = engine.SessionStore()
            store.update(
                {
                    SESSION_KEY: str(u.pk),
                    BACKEND_SESSION_KEY: backend,
                    HASH_SESSION_KEY: u.get_session_auth_hash(),
                }
            )
            store.create()
            keys.append(store.session_key)
    codes = [str(pk) for pk in budget.projects.values_list("pk", flat=True)]
    rng = random.Random(seed)
    return [Voter(i, key, secrets.token_hex(16), rng.sample(codes, 3)) for i, key in enumerate(keys)]


def make_budget(projects: int = 10):
    """A city and a budget in voting with feasible projects (made as the demo does, through the models)."""
    from django.utils import timezone

    from civiclab.budgeting.models import Budget, Project
    from civiclab.cities.actions import do_create_city
    from civiclab.cities.models import City

    city = City.objects.filter(slug=CITY).first() or do_create_city(
        None, name="PB bench city", slug=CITY, country="ES", languages=["en"], time_zone="Europe/Madrid"
    )
    now = timezone.now()
    budget = Budget.objects.create(
        city=city,
        slug=SLUG,
        title="Bench budget",
        published=True,
        amount=10_000_000,
        methods=["in_person"],
        residency="anyone",
        voting_opens_at=now - dt.timedelta(hours=1),
        voting_closes_at=now + dt.timedelta(hours=3),
    )
    for i in range(projects):
        Project.objects.create(
            city=city,
            budget=budget,
            title=f"Project {i}",
            description="-",
            cost=100_000 + i,
            proposed_cost=100_000 + i,
            status="feasible",
        )
    return budget


def _receipt(set_cookies: list[str], budget_pk: int, secret_key: str) -> str | None:
    from django.core import signing

    name = f"pb-receipt-{budget_pk}"
    for header in set_cookies:
        key, _, rest = header.partition("=")
        if key.strip() == name:
            value = urllib.parse.unquote(rest.split(";", 1)[0].strip('"'))
            # As HttpResponse.set_signed_cookie signs it, with the server's key.
            signer = signing.get_cookie_signer(salt=signing._cookie_signer_salt(name, RECEIPT_SALT))
            signer.key = signing._cookie_signer_key(secret_key)
            return signer.unsign(value)
    return None


def cast(port: int, path: str, voter: Voter, budget_pk: int, secret_key: str) -> int:
    body = urllib.parse.urlencode(
        [("csrfmiddlewaretoken", voter.csrf), *[("project", c) for c in voter.projects]]
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"sessionid={voter.session}; csrftoken={voter.csrf}",
        "Host": HOST,
    }
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    if response.status == 302:
        receipt = _receipt(response.msg.get_all("Set-Cookie") or [], budget_pk, secret_key)
        if receipt:
            voter.receipts.append(receipt)
    return response.status


def run_sends(
    port: int, budget, voters: list[Voter], sends: int, threads: int, secret_key: str, stop=None
) -> dict:
    """Every voter sends its ballot `sends` times; `threads` requests are in flight at any time, taken in
    voter order, so one voter's sends arrive together. `stop` (an Event) ends the run early."""
    path = f"/{budget.city.slug}/budgets/{budget.slug}/vote/"
    work: queue.SimpleQueue = queue.SimpleQueue()
    for voter in voters:
        for _ in range(sends):
            work.put(voter)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        while not (stop and stop.is_set()):
            try:
                voter = work.get_nowait()
            except queue.Empty:
                return
            began = time.perf_counter()
            try:
                status = cast(port, path, voter, budget.pk, secret_key)
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    failures.append(type(exc).__name__)
                continue
            with lock:
                voter.statuses.append(status)
                latencies.append(time.perf_counter() - began)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    began = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    seconds = time.perf_counter() - began
    statuses = [s for v in voters for s in v.statuses]
    latencies.sort()
    by_status: dict[str, int] = {}
    for s in statuses:
        by_status[str(s)] = by_status.get(str(s), 0) + 1
    return {
        "voters": len(voters),
        "sends_per_voter": sends,
        "concurrent_requests": threads,
        "requests": len(statuses),
        "seconds": round(seconds, 3),
        "requests_per_second": round(len(statuses) / seconds, 1) if seconds else None,
        "ballots_acknowledged": sum(len(v.receipts) for v in voters),
        "ballots_per_second": round(sum(len(v.receipts) for v in voters) / seconds, 1) if seconds else None,
        "statuses": by_status,
        "server_errors": sum(1 for s in statuses if s >= 500 and s != 503),
        "connection_failures": len(failures),
        "latency_ms": {
            "median": round(1000 * statistics.median(latencies), 1) if latencies else None,
            "p95": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else None,
            "max": round(1000 * latencies[-1], 1) if latencies else None,
        },
    }


WRK_SCRIPT = """
-- Each request is the next voter's ballot; threads take turns through the list, so no voter repeats.
local voters = {}
for line in io.lines(os.getenv("PB_VOTERS")) do voters[#voters + 1] = line end
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  step = tonumber(os.getenv("PB_THREADS"))
end
function request()
  local i = id + counter * step + 1
  counter = counter + 1
  if i > #voters then i = #voters end  -- past the end: repeats of the last voter, refused politely
  local session, csrf, body = voters[i]:match("([^\t]+)\t([^\t]+)\t(.*)")
  return wrk.format("POST", os.getenv("PB_PATH"), {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "sessionid=" .. session .. "; csrftoken=" .. csrf,
  }, body)
end
"""


def run_wrk(port: int, budget, voters: list[Voter], connections: int, seconds: int, tmp: Path) -> dict:
    """Sustained casting driven by wrk (C, light on the shared CPUs): `connections` voters at once."""
    from civiclab.budgeting.models import Ballot

    lines = []
    for v in voters:
        body = urllib.parse.urlencode(
            [("csrfmiddlewaretoken", v.csrf), *[("project", c) for c in v.projects]]
        )
        lines.append(f"{v.session}\t{v.csrf}\t{body}")
    (tmp / "voters.tsv").write_text("\n".join(lines) + "\n")
    (tmp / "cast.lua").write_text(WRK_SCRIPT)
    threads = 2
    env = {
        **os.environ,
        "PB_VOTERS": str(tmp / "voters.tsv"),
        "PB_THREADS": str(threads),
        "PB_PATH": f"/{budget.city.slug}/budgets/{budget.slug}/vote/",
    }
    before = Ballot.objects.filter(budget=budget).count()
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(tmp / "cast.lua"),
    ]
    cmd.append(f"http://{HOST}:{port}")
    began = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    elapsed = time.perf_counter() - began
    ballots = Ballot.objects.filter(budget=budget).count() - before

    def grab(prefix: str) -> str | None:
        return next((line.split()[1] for line in out.splitlines() if line.strip().startswith(prefix)), None)

    non_2xx = next((int(line.split(":")[1]) for line in out.splitlines() if "Non-2xx" in line), 0)
    return {
        "client": f"wrk, {threads} threads, {connections} connections (one voter per request)",
        "seconds": round(elapsed, 2),
        "ballots": ballots,
        "ballots_per_second": round(ballots / elapsed, 1),
        "requests_per_second": float(grab("Requests/sec:") or 0),
        "latency_ms": {"median": grab("50%"), "p99": grab("99%")},
        "non_2xx_or_3xx": non_2xx,
        "socket_errors": next((line.strip() for line in out.splitlines() if "Socket errors" in line), None),
        "wrk_output": out.splitlines()[-12:],
    }


def check_ballots(budget, voters: list[Voter]) -> dict:
    """What the database holds against what the server acknowledged."""
    from civiclab.budgeting.identity import receipt_hash
    from civiclab.budgeting.models import Ballot, Participation

    stored = set(Ballot.objects.filter(budget=budget).values_list("receipt_hash", flat=True))
    acknowledged = [r for v in voters for r in v.receipts]
    return {
        "ballots": len(stored),
        "register": Participation.objects.filter(budget=budget).count(),
        "receipts": len(acknowledged),
        "acknowledged_missing": sum(1 for r in acknowledged if receipt_hash(r) not in stored),
        "voters_with_two_receipts": sum(1 for v in voters if len(v.receipts) > 1),
    }


def prepare_static(env: dict[str, str]) -> None:
    """Production pages need the compressed static files and their manifest."""
    subprocess.run(
        [sys.executable, "-m", "civiclab.cli", "manage", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--voters", type=int, default=8000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--concurrent", type=int, default=50, help="voters casting at the same time")
    parser.add_argument("--workers", type=int, default=2, help="server workers (2 did best on 2 cores)")
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/5",
        help="REDIS_URL of the server (cache and sessions), as in production; '' for the database",
    )
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        database_url = DEFAULT_DATABASE_URL
    from bench.run import ensure_postgres_database

    ensure_postgres_database(database_url)
    with tempfile.TemporaryDirectory(prefix="civiclab-ballots-") as tmp:
        env = server_env(database_url, Path(tmp), args.redis)
        subprocess.run([sys.executable, "-m", "civiclab.cli", "migrate"], cwd=ROOT, env=env, check=True)
        prepare_static(env)
        os.environ.update(env)
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection

        from civiclab.accounts.models import User
        from civiclab.cities.models import City

        assert env["SECRET_KEY"] == settings.SECRET_KEY, "the bench must share the server's key"
        if args.redis:
            from django.core.cache import cache

            cache.clear()  # the bench's own Redis database: sessions of earlier runs
        City.objects.filter(slug=CITY).delete()  # a fresh city and budget every run
        User.objects.filter(email__endswith="@bench.example").delete()
        budget = make_budget()
        voters = make_voters(budget, args.voters)
        connection.close()
        with Server(env, workers=args.workers) as server:
            log(f"{args.voters} voters, {args.concurrent} at once, granian ({args.workers} workers)")
            run = run_wrk(server.port, budget, voters, args.concurrent, args.seconds, Path(tmp))
            server_log = server.tail()
        from civiclab.budgeting.models import Ballot, Participation

        checked = {
            "ballots_stored": Ballot.objects.filter(budget=budget).count(),
            "register_rows": Participation.objects.filter(budget=budget).count(),
            "server_errors_in_log": server_log.count("Internal Server Error"),
        }
        City.objects.filter(slug=CITY).delete()
        User.objects.filter(email__endswith="@bench.example").delete()
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": "postgresql",
        "server": f"granian, {args.workers} workers x 4 threads, production settings, "
        + ("cache and sessions in Redis" if args.redis else "sessions in the database"),
        "client": "python threads, a new connection per ballot, form posts with CSRF; "
        f"{os.cpu_count()} CPUs shared with the server",
        "target": ">= 200 ballots/s with 50 concurrent voters, 0 server errors; overload answered 429/503",
        **run,
        **checked,
    }
    print(json.dumps(result, indent=2))
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    ok = checked["ballots_stored"] == checked["register_rows"] and not checked["server_errors_in_log"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
