"""Vote intake of opinion mapping through the real HTTP stack: Granian with production settings on
PostgreSQL, and 100 concurrent voters answering statements (some of them twice), as htmx posts.

    .venv/bin/python bench/vote_intake.py       # PostgreSQL at $DATABASE_URL, or civiclab_bench_votes
    .venv/bin/python bench/vote_intake.py --client threads   # the Python client of the test

Writes bench/results/opinion-vote-intake.json. The load comes from wrk (C, a few % of one CPU): the
Python client threads would take a good part of the two CPUs that the server and PostgreSQL share. The
Python voters (`run_voters`) drive the test tests/deliberation/test_vote_intake.py, which checks that no
vote is lost or doubled; the bench checks the same after either client.

Each voter is an anonymous visitor of an "anyone with the link" conversation: it keeps its own cookies
(the signed participant cookie the server sets on its first vote, and a CSRF cookie, which a browser would
get with the page) on one thread with its own connection. Load only ever goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "opinion-vote-intake.json"
HOST = "127.0.0.1"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/civiclab_bench_votes"
CITY, SLUG = "bench-city", "bench-votes"


def log(message: str) -> None:
    print(f"[vote-intake] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env(database_url: str, data_dir: Path, redis_url: str = "") -> dict[str, str]:
    env = dict(os.environ)
    for name in ("STATIC_ROOT", "MEDIA_ROOT", "PORT", "HOST", "REDIS_URL"):
        env.pop(name, None)
    if redis_url:  # cache and sessions in Redis, as docs/deployment.md advises for several workers
        env["REDIS_URL"] = redis_url
    env.update(
        {
            "DATABASE_URL": database_url,
            "CIVICLAB_DATA_DIR": str(data_dir),
            "CIVICLAB_ENV": "production",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
            "DJANGO_SETTINGS_MODULE": "civiclab.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@dataclass
class Server:
    """The production server (`civiclab run --production`: Granian) with production settings, in its own
    process group, stopped with everything it started."""

    env: dict[str, str]
    workers: int = 2
    threads: int = 4  # threads per worker, as `civiclab run --production` serves
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        from civiclab.cli import server_command

        cmd = server_command(HOST, self.port, workers=self.workers, threads=self.threads)
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.tail()}")
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return self
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer /healthz:\n{self.tail()}")

    def tail(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def busy_cpu_seconds() -> float:
    """CPU time the whole machine spent working (user, nice, system, interrupts), from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


@dataclass
class Voter:
    """One anonymous participant: its cookies, and the last answer it gave to each statement."""

    n: int
    cookies: dict[str, str] = field(default_factory=dict)
    final: dict[int, int] = field(default_factory=dict)
    statuses: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def plan(self, tids: list[int], votes: int, repeats: int) -> list[tuple[int, int]]:
        rng = random.Random(self.n)
        first = [(tid, rng.choice([-1, 0, 1])) for tid in rng.sample(tids, min(votes, len(tids)))]
        again = [(tid, rng.choice([-1, 0, 1])) for tid, _v in rng.sample(first, min(repeats, len(first)))]
        return first + again

    def anon_key(self) -> str | None:
        cookie = self.cookies.get("civiclab_participant")
        if cookie is None:
            return None
        # A signed cookie reads "value:timestamp:signature".
        token = urllib.parse.unquote(cookie).strip('"').rsplit(":", 2)[0]
        return hashlib.sha256(token.encode()).hexdigest()


def cast(conn: http.client.HTTPConnection, path: str, voter: Voter, tid: int, value: int) -> int:
    voter.cookies.setdefault("csrftoken", secrets.token_hex(16))  # what the page would have set
    body = urllib.parse.urlencode({"statement": tid, "value": value})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in voter.cookies.items()),
        "X-CSRFToken": voter.cookies["csrftoken"],
        "HX-Request": "true",
        "Host": HOST,
    }
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    for header in response.msg.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        voter.cookies[name.strip()] = rest.split(";", 1)[0]
    return response.status


def run_voters(
    port: int, city: str, slug: str, tids: list[int], voters: int = 100, votes: int = 20, repeats: int = 5
) -> dict[str, object]:
    """Every voter casts `votes` answers on distinct statements, then `repeats` changed answers, all at once
    with the others. Returns the figures and the voters (with what each one last answered)."""
    path = f"/{city}/conversations/{slug}/vote/"
    crowd = [Voter(n) for n in range(voters)]
    start = threading.Barrier(voters + 1)

    def work(voter: Voter) -> None:
        plan = voter.plan(tids, votes, repeats)
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        start.wait()
        for tid, value in plan:
            began = time.perf_counter()
            try:
                status = cast(conn, path, voter, tid, value)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                status = cast(conn, path, voter, tid, value)  # a dropped keep-alive connection: once more
            voter.latencies.append(time.perf_counter() - began)
            voter.statuses.append(status)
            if status == 200:
                voter.final[tid] = value
        conn.close()

    threads = [threading.Thread(target=work, args=(v,)) for v in crowd]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - began
    statuses = [s for v in crowd for s in v.statuses]
    latencies = sorted(x for v in crowd for x in v.latencies)
    return {
        "voters": voters,
        "requests": len(statuses),
        "seconds": round(seconds, 3),
        "votes_per_second": round(len(statuses) / seconds, 1),
        "server_errors": sum(1 for s in statuses if s >= 500),
        "non_200": sum(1 for s in statuses if s != 200),
        "latency_ms": {
            "median": round(1000 * statistics.median(latencies), 1),
            "p95": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1),
            "max": round(1000 * latencies[-1], 1),
        },
        "crowd": crowd,
    }


WRK_SCRIPT = r"""
-- Each request is the next line of the plan (round by round: every voter's first answer, then every
-- voter's second, ...); threads take turns through it. A thread that has sent its share asks for
-- /healthz (not counted) until the answers to its share are in; then it leaves a mark and stops, and the
-- bench ends wrk (which would otherwise wait for its -d).
local lines = {}
for line in io.lines(os.getenv("VOTE_PLAN")) do lines[#lines + 1] = line end
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  step = tonumber(os.getenv("VOTE_THREADS"))
  path = os.getenv("VOTE_PATH")
  htmx = os.getenv("VOTE_HTMX") == "1"
  share = 0
  for i = id + 1, #lines, step do share = share + 1 end
  sent, got, s2, s3, s4, s429, s5 = 0, 0, 0, 0, 0, 0, 0
  -- wrk calls request() of the first thread once to check the script, and sends nothing of it.
  verifying = id == 0
end
function request()
  if verifying then
    verifying = false
    return wrk.format("GET", "/healthz")
  end
  if sent >= share then return wrk.format("GET", "/healthz") end
  local i = id + sent * step + 1
  sent = sent + 1
  local cookie, csrf, body = lines[i]:match("([^\t]+)\t([^\t]+)\t(.*)")
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = csrf,
  }
  if htmx then headers["HX-Request"] = "true" end
  return wrk.format("POST", path, headers, body)
end
function response(status, headers, body)
  if body == '{"status": "ok"}' then return end
  got = got + 1
  if status >= 500 then s5 = s5 + 1
  elseif status == 429 then s429 = s429 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1
  else s2 = s2 + 1 end
  if got == share then
    local mark = io.open(os.getenv("VOTE_PLAN") .. ".done" .. id, "w")
    mark:write("done")
    mark:close()
    wrk.thread:stop()
  end
end
function done(summary, latency, requests)
  local t = {s2 = 0, s3 = 0, s4 = 0, s429 = 0, s5 = 0, got = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  io.write(string.format(
    'VOTE_RESULT {"2xx": %d, "3xx": %d, "4xx": %d, "429": %d, "5xx": %d, "responses": %d}\n',
    t.s2, t.s3, t.s4, t.s429, t.s5, t.got))
end
"""


def run_wrk(
    port: int,
    city: str,
    slug: str,
    tids: list[int],
    tmp: Path,
    voters: int = 100,
    votes: int = 30,
    repeats: int = 10,
    htmx: bool = True,
    threads: int = 2,
) -> dict[str, object]:
    """The same voters and plans as run_voters, sent by wrk with `voters` connections: one voter per
    connection at a time. Each voter carries the participant cookie a first vote would have set (signed
    with the server's key), so that every answer, the first one too, is one request."""
    from django.http import HttpResponse

    from civiclab.deliberation.views import ANON_COOKIE, ANON_SALT

    def signed(token: str) -> str:  # as the server signs it (the salt depends on Django's version)
        response = HttpResponse()
        response.set_signed_cookie(ANON_COOKIE, token, salt=ANON_SALT)
        return response.cookies[ANON_COOKIE].value

    crowd = [Voter(n) for n in range(voters)]
    plans = []
    for voter in crowd:
        voter.cookies = {
            "csrftoken": secrets.token_hex(16),
            ANON_COOKIE: signed(secrets.token_urlsafe(32)),
        }
        plan = voter.plan(tids, votes, repeats)
        first, again = plan[: min(votes, len(tids))], plan[min(votes, len(tids)) :]
        # wrk does not wait for a voter's answer before sending their next line (a free connection takes
        # the next line), so a voter's changed answer must come long after the first one: the answers that
        # get changed go first, the changes last, at least votes - repeats rounds later.
        changed = {tid for tid, _v in again}
        first.sort(key=lambda tv: tv[0] not in changed)
        plans.append(first + again)
    lines = []
    for k in range(max(len(p) for p in plans)):
        for voter, plan in zip(crowd, plans, strict=True):
            if k < len(plan):
                tid, value = plan[k]
                voter.final[tid] = value  # wrk counts statuses only: the check below says what is stored
                cookie = "; ".join(f"{name}={val}" for name, val in voter.cookies.items())
                body = urllib.parse.urlencode({"statement": tid, "value": value})
                lines.append(f"{cookie}\t{voter.cookies['csrftoken']}\t{body}")
    (tmp / "plan.tsv").write_text("\n".join(lines) + "\n")
    (tmp / "vote.lua").write_text(WRK_SCRIPT)
    env = {
        **os.environ,
        "VOTE_PLAN": str(tmp / "plan.tsv"),
        "VOTE_THREADS": str(threads),
        "VOTE_PATH": f"/{city}/conversations/{slug}/vote/",
        "VOTE_HTMX": "1" if htmx else "0",
    }
    cmd = ["wrk", f"-t{threads}", f"-c{voters}", "-d300s", "--timeout", "30s", "--latency"]
    cmd += ["-s", str(tmp / "vote.lua"), f"http://{HOST}:{port}"]
    marks = [tmp / f"plan.tsv.done{t}" for t in range(threads)]
    busy_before = busy_cpu_seconds()
    began = time.perf_counter()
    wrk = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    while not all(m.exists() for m in marks) and wrk.poll() is None:
        time.sleep(0.005)
    seconds = time.perf_counter() - began  # until the last answer of the plan is in
    busy = busy_cpu_seconds() - busy_before
    if wrk.poll() is None:
        wrk.send_signal(signal.SIGINT)  # wrk stops and prints its figures
    out, err = wrk.communicate(timeout=60)
    if "VOTE_RESULT" not in out:
        raise RuntimeError(f"wrk gave no result:\n{out}\n{err}")
    counts = json.loads(next(line for line in out.splitlines() if line.startswith("VOTE_RESULT"))[12:])

    def grab(prefix: str) -> str | None:
        return next((line.split()[1] for line in out.splitlines() if line.strip().startswith(prefix)), None)

    return {
        "voters": voters,
        "requests": len(lines),
        "seconds": round(seconds, 3),
        "votes_per_second": round(counts["responses"] / seconds, 1),  # all of them unless wrk ran out of time
        # The whole machine's CPU time per vote (server, database, wrk): steadier than votes/s when
        # the machine is shared, as it leaves out time stolen by other guests and waits.
        "cpu_ms_per_vote": round(1000 * busy / max(1, counts["responses"]), 2),
        "server_errors": counts["5xx"],
        "non_200": counts["responses"] - (counts["2xx"] if htmx else counts["3xx"]),
        "statuses": counts,
        "latency_ms": {"median": grab("50%"), "p90": grab("90%"), "p99": grab("99%")},
        "socket_errors": next((line.strip() for line in out.splitlines() if "Socket errors" in line), None),
        "crowd": crowd,
    }


def check_votes(crowd: list[Voter], conversation) -> dict[str, int]:
    """What the database holds against what each voter last answered: (lost, doubled, wrong)."""
    from civiclab.deliberation.models import Participant, Vote

    by_key = {p.anon_key: p.pk for p in Participant.objects.filter(conversation=conversation)}
    stored: dict[tuple[int, int], list[int]] = {}
    for participant_id, tid, value in Vote.objects.filter(conversation=conversation).values_list(
        "participant_id", "statement__tid", "value"
    ):
        stored.setdefault((participant_id, tid), []).append(value)
    lost = doubled = wrong = 0
    for voter in crowd:
        participant_id = by_key.get(voter.anon_key())
        for tid, value in voter.final.items():
            values = stored.get((participant_id, tid), [])
            lost += not values
            doubled += len(values) > 1
            wrong += bool(values) and values[-1] != value
    expected = sum(len(v.final) for v in crowd)
    return {
        "expected_votes": expected,
        "stored_votes": sum(len(v) for v in stored.values()),
        "lost": lost,
        "doubled": doubled,
        "wrong": wrong,
        "participants": len(by_key),
    }


def make_conversation(statements: int = 40):
    """A city and a published "anyone with the link" conversation, through the actions."""
    from civiclab.cities.actions import do_create_city
    from civiclab.cities.models import City
    from civiclab.deliberation.actions import do_create_conversation

    city = City.objects.filter(slug=CITY).first() or do_create_city(
        None, name="Bench city", slug=CITY, country="ES", languages=["en"], time_zone="Europe/Madrid"
    )
    return do_create_conversation(
        city,
        None,
        topic="Bench conversation",
        slug=SLUG,
        participation="link",
        published=True,
        seeds=[f"Bench statement number {i}" for i in range(statements)],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--voters", type=int, default=100)
    parser.add_argument("--votes", type=int, default=30, help="distinct statements each voter answers")
    parser.add_argument("--repeats", type=int, default=10, help="answers each voter changes afterwards")
    # As deployed (docs/deployment.md): 2 workers with 4 threads each. A vote waits for the disk on its
    # commit (about 2-7 ms here): with one thread per worker the CPUs sat idle meanwhile and the disk
    # took at most two commits at a time.
    parser.add_argument("--workers", type=int, default=2, help="server workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--client", choices=["wrk", "threads"], default="wrk")
    parser.add_argument("--plain", action="store_true", help="no-JS form posts instead of htmx posts")
    parser.add_argument("--redis", default="", help="REDIS_URL for the server (default: no Redis)")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        database_url = DEFAULT_DATABASE_URL
    sys.path.insert(0, str(ROOT))
    from bench.run import ensure_postgres_database

    ensure_postgres_database(database_url)
    with tempfile.TemporaryDirectory(prefix="civiclab-votes-") as tmp:
        env = server_env(database_url, Path(tmp))
        if args.redis:
            env["REDIS_URL"] = args.redis
        subprocess.run([sys.executable, "-m", "civiclab.cli", "migrate"], cwd=ROOT, env=env, check=True)
        os.environ.update(env)
        import django

        django.setup()
        from django.core.cache import cache
        from django.db import connection

        from civiclab.cities.access import city_cache_key
        from civiclab.cities.models import City

        City.objects.filter(slug=CITY).delete()  # a fresh city and conversation every run
        # The city is cached by its slug, and Redis outlives a run: the city made again has a new id.
        cache.delete(city_cache_key(CITY))
        conversation = make_conversation(max(40, args.votes))
        tids = list(conversation.statements.values_list("tid", flat=True))
        connection.close()
        load_before = os.getloadavg()[0]
        with Server(env, workers=args.workers, threads=args.threads) as server:
            log(f"{args.voters} voters against the server ({args.workers} workers) on port {server.port}")
            if args.client == "wrk":
                run = run_wrk(
                    server.port,
                    CITY,
                    SLUG,
                    tids,
                    Path(tmp),
                    args.voters,
                    args.votes,
                    args.repeats,
                    htmx=not args.plain,
                )
            else:
                run = run_voters(server.port, CITY, SLUG, tids, args.voters, args.votes, args.repeats)
            server_log = server.tail()
        if "Traceback" in server_log:
            log(server_log)
        crowd = run.pop("crowd")
        checked = check_votes(crowd, conversation)
        from civiclab.deliberation.models import OpinionReport

        report = OpinionReport.objects.filter(conversation=conversation).first()
        City.objects.filter(slug=CITY).delete()
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": "postgresql",
        "server": f"granian, {args.workers} workers x {args.threads} threads" + ", production settings",
        "client": (
            f"wrk, 2 threads, {args.voters} connections (one voter each)"
            if args.client == "wrk"
            else "python threads, one connection per voter"
        )
        + (", form posts" if args.plain else ", htmx posts")
        + f"; {os.cpu_count()} CPUs shared with the server and PostgreSQL",
        "cache": "Redis" if args.redis else "LocMemCache (no REDIS_URL)",
        "target": ">= 500 votes/s with 100 concurrent voters, 0 server errors",
        **run,
        **checked,
        "last_recompute_seconds": report.seconds if report else None,
        # The machine is shared: a load average above the CPU count means the figures are low.
        "load_average_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    }
    print(json.dumps(result, indent=2))
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    ok = not result["server_errors"] and not (checked["lost"] or checked["doubled"] or checked["wrong"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
