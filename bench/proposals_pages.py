"""Proposal pages through the real HTTP stack: Granian (2 workers) with production settings on PostgreSQL,
read by wrk with 8 connections, as anonymous visitors see them.

    .venv/bin/python bench/proposals_pages.py    # PostgreSQL at $DATABASE_URL, or civiclab_bench_proposals

Two pages: the proposal list (page 1 of 60 proposals, 20 shown) and a proposal with 200 comments (threaded,
some edited, with agree/disagree counts). Writes bench/results/proposals-pages.json. Targets: list >= 300
requests/s, detail >= 150 requests/s, p99 < 100 ms at 8 connections. Load only ever goes to 127.0.0.1.

Each page is read twice: as deployed, where anonymous visitors share a page for a few seconds
(civiclab/core/pagecache.py), and with that cache off ("rendered"), which is what a signed-in reader's
page costs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pb_voting import prepare_static  # noqa: E402
from bench.vote_intake import HOST, Server, log, server_env  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "proposals-pages.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/civiclab_bench_proposals"
CITY = "proposals-bench-city"
TARGETS = {"list": 300.0, "detail": 150.0, "p99_ms": 100.0}


def make_data(proposals: int = 60, comments: int = 200) -> tuple[str, str, str]:
    """A city, a process in its open phase with a proposals component, and the pages' addresses."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from civiclab.accounts.models import User
    from civiclab.cities.actions import do_create_city
    from civiclab.processes.actions import do_add_component
    from civiclab.processes.models import Phase, Process
    from civiclab.proposals import actions
    from civiclab.proposals.models import Comment, Proposal

    city = do_create_city(
        None, name="Proposals bench", slug=CITY, country="ES", languages=["en"], time_zone="Europe/Madrid"
    )
    now = timezone.now()
    process = Process.objects.create(city=city, title="Bench process", slug="bench", published=True)
    phase = Phase.objects.create(
        city=city,
        process=process,
        kind="co_design",
        name="Co-design",
        position=0,
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=30),
    )
    component = do_add_component(
        phase,
        None,
        kind="proposals",
        title="Ideas",
        settings={"support_threshold": 10, "categories": ["A", "B"]},
    )
    unusable = make_password(None)
    people = User.objects.bulk_create(
        [
            User(email=f"p{i}@proposals-bench.example", display_name=f"Person {i}", password=unusable)
            for i in range(20)
        ]
    )
    people = list(User.objects.filter(email__endswith="@proposals-bench.example").order_by("pk"))
    body = (
        "A proposal with **some Markdown**, a [link](https://example.org) and a list:\n\n- one\n- two\n" * 3
    )
    Proposal.objects.bulk_create(
        [
            Proposal(
                city=city,
                component=component,
                title=f"Proposal {i}: shade and water for square {i}",
                body=body,
                category="A" if i % 2 else "B",
                author=people[i % len(people)],
                supports_count=i % 13,
                comments_count=i % 7,
            )
            for i in range(proposals)
        ]
    )
    target = Proposal.objects.filter(component=component).order_by("pk").first()
    rows = []
    for i in range(comments):
        rows.append(
            Comment(
                city=city,
                proposal=target,
                author=people[i % len(people)],
                body=f"Comment {i}: I agree with *most* of this, but what about the trees on the north side?",
                agree_count=i % 5,
                disagree_count=i % 3,
            )
        )
    made = Comment.objects.bulk_create(rows)
    made = list(Comment.objects.filter(proposal=target).order_by("pk"))
    for i, c in enumerate(made[50:150]):  # a hundred replies, up to four deep
        c.parent = made[50 + i - 1] if i % 4 else made[i]
        c.depth = (i % 4) + 1 if i % 4 else 1
    Comment.objects.bulk_update(made[50:150], ["parent", "depth"])
    for c in made[:20]:
        actions.do_edit_comment(c, c.author, c.body + " (edited)")
    Proposal.objects.filter(pk=target.pk).update(comments_count=comments)
    base = f"/{CITY}/processes/{process.slug}/c/{component.pk}/"
    return base, f"{base}{target.pk}/", f"{base}{target.pk + 1}/"


def run_wrk(port: int, path: str, seconds: int, connections: int = 8, threads: int = 2) -> dict:
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        f"http://{HOST}:{port}{path}",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout

    def grab(prefix: str) -> str | None:
        return next((line.split()[1] for line in out.splitlines() if line.strip().startswith(prefix)), None)

    def ms(value: str | None) -> float | None:
        if value is None:
            return None
        for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
            if value.endswith(unit):
                return round(float(value[: -len(unit)]) * factor, 2)
        return None

    non_2xx = next((int(line.split(":")[1]) for line in out.splitlines() if "Non-2xx" in line), 0)
    return {
        "path": path,
        "requests_per_second": float(grab("Requests/sec:") or 0),
        "latency_ms": {"median": ms(grab("50%")), "p99": ms(grab("99%"))},
        "non_2xx_or_3xx": non_2xx,
        "socket_errors": next((line.strip() for line in out.splitlines() if "Socket errors" in line), None),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        database_url = DEFAULT_DATABASE_URL
    from bench.run import ensure_postgres_database

    ensure_postgres_database(database_url)
    with tempfile.TemporaryDirectory(prefix="civiclab-proposals-") as tmp:
        env = server_env(database_url, Path(tmp))
        subprocess.run([sys.executable, "-m", "civiclab.cli", "migrate"], cwd=ROOT, env=env, check=True)
        prepare_static(env)
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connection

        from civiclab.accounts.models import User
        from civiclab.cities.models import City

        City.objects.filter(slug=CITY).delete()  # fresh data every run
        User.objects.filter(email__endswith="@proposals-bench.example").delete()
        list_path, detail_path, bare_path = make_data()
        connection.close()
        # First as deployed (anonymous visitors share a page for ANONYMOUS_PAGE_CACHE_SECONDS), then
        # with that cache off: what rendering each page costs.
        runs, uncached, server_log = {}, {}, ""
        for seconds, into in (("5", runs), ("0", uncached)):
            with Server({**env, "ANONYMOUS_PAGE_CACHE_SECONDS": seconds}, workers=args.workers) as server:
                # The city's home page, read the same way: what any page of this machine and stack costs.
                # And a proposal without comments: what the 200 comments add to a proposal page.
                pages = (
                    ("city_home", f"/{CITY}/"),
                    ("list", list_path),
                    ("detail", detail_path),
                    ("detail_without_comments", bare_path),
                )
                for name, path in pages:
                    run_wrk(server.port, path, 2)  # warm-up: templates, connections, the city cache
                    log(f"{name}: {path}, page cache {seconds} s, wrk 8 connections, {args.seconds} s")
                    into[name] = run_wrk(server.port, path, args.seconds)
                    time.sleep(1)
                server_log += server.tail()
        City.objects.filter(slug=CITY).delete()
        User.objects.filter(email__endswith="@proposals-bench.example").delete()
    met = {
        name: runs[name]["requests_per_second"] >= TARGETS[name]
        and (runs[name]["latency_ms"]["p99"] or 1e9) < TARGETS["p99_ms"]
        and not runs[name]["non_2xx_or_3xx"]
        for name in ("list", "detail")
    }
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": "postgresql",
        "server": f"granian, {args.workers} workers x 4 threads, production settings",
        "client": f"wrk, 2 threads, 8 connections, anonymous GETs; {os.cpu_count()} CPUs shared",
        "data": "60 proposals (list page 1 of 3, 20 shown); one proposal with 200 comments, "
        "100 of them replies, 20 edited",
        "targets": {
            "list_rps": TARGETS["list"],
            "detail_rps": TARGETS["detail"],
            "p99_ms": TARGETS["p99_ms"],
        },
        "page_cache": "anonymous visitors share a page for 5 s (ANONYMOUS_PAGE_CACHE_SECONDS, production "
        "default); 'rendered' repeats every page with that cache off",
        **runs,
        "rendered": uncached,
        "targets_met": met,
        "server_errors_in_log": server_log.count("Internal Server Error"),
    }
    print(json.dumps(result, indent=2))
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if not result["server_errors_in_log"] else 1


if __name__ == "__main__":
    sys.exit(main())
