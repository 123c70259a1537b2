"""Page benchmark: throughput, latency, SQL queries and page weight of the main public pages.

    .venv/bin/python bench/run.py                  # SQLite in a fresh temporary data dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civiclab_bench .venv/bin/python bench/run.py

Starts the app exactly as in production (`civiclab run --production`: Granian, DEBUG off, compressed
static files) on a free loopback port, measures each page with wrk (or a stdlib fallback when wrk is
missing), counts the SQL queries of each page in a separate process, writes
bench/results/pages-<database vendor>.json and prints a table. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
HOST = "127.0.0.1"  # the only host this script ever sends load to
CITY = "valencia"
STARTUP_TIMEOUT = 60.0
APP_SAMPLES = 20  # in-process requests per page for app_ms (median)
BUSY_LOADAVG = 0.5  # 1-minute load average above which another process is likely to skew the figures


class BenchError(RuntimeError):
    pass


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- Environment ------------------------------------------------------------------------------


def venv_python() -> str:
    candidate = ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def civiclab_command() -> list[str]:
    for candidate in (ROOT / ".venv" / "bin" / "civiclab", Path(sys.executable).parent / "civiclab"):
        if candidate.exists():
            return [str(candidate)]
    return [venv_python(), "-m", "civiclab.cli"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def app_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Everything the app writes goes to the temporary data dir, never to the developer's var/.
    for name in ("STATIC_ROOT", "MEDIA_ROOT", "PORT", "HOST"):
        env.pop(name, None)
    env.update(
        {
            "CIVICLAB_DATA_DIR": str(data_dir),
            "CIVICLAB_ENV": "production",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.setdefault("DJANGO_SETTINGS_MODULE", "civiclab.settings")
    return env


def ensure_postgres_database(database_url: str) -> None:
    """Create the PostgreSQL database named in DATABASE_URL if it does not exist (never drops anything)."""
    url = urllib.parse.urlsplit(database_url)
    if url.scheme not in {"postgres", "postgresql", "pgsql"}:
        return
    import psycopg
    from psycopg import sql

    name = urllib.parse.unquote(url.path.lstrip("/"))
    if not name:
        raise BenchError("DATABASE_URL names no database")
    params = {
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
        "user": urllib.parse.unquote(url.username or "postgres"),
        "dbname": "postgres",
        "connect_timeout": 10,
    }
    if url.password:
        params["password"] = urllib.parse.unquote(url.password)
    with psycopg.connect(**params, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            log(f"creating PostgreSQL database {name!r}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def git_commit() -> dict[str, object]:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        return {"commit": commit or "unknown", "dirty": bool(status)}
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown", "dirty": None}


def cpu_model() -> str | None:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return None


def nproc() -> int:
    with contextlib.suppress(OSError, subprocess.SubprocessError, ValueError):
        return int(subprocess.run(["nproc"], capture_output=True, text=True, timeout=5).stdout.strip())
    return os.cpu_count() or 1


# --- The server -------------------------------------------------------------------------------


class Server:
    """`civiclab run --production` in its own process group, so that it and its workers stop together."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log_path: Path):
        self.env, self.port, self.workers, self.log_path = env, port, workers, log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.base = f"http://{HOST}:{port}"

    def start(self) -> None:
        cmd = [
            *civiclab_command(),
            "run",
            "--production",
            "--demo",
            "--workers",
            str(self.workers),
            "--port",
            str(self.port),
            "--host",
            HOST,
        ]
        log(f"starting: {' '.join(cmd)}")
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> float:
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise BenchError(f"the server exited with code {self.proc.returncode}:\n{self.tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _, _ = fetch(self.base + "/healthz", timeout=2)
                if status == 200:
                    return time.monotonic() - started
            time.sleep(0.25)
        raise BenchError(f"/healthz did not answer 200 within {timeout:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        pgid = self.proc.pid  # start_new_session: the server leads its own process group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        # Workers that outlived the master (should not happen): same group, same end.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    assert urllib.parse.urlsplit(url).hostname == HOST, url
    try:
        with _opener.open(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def find_process_page(base: str) -> str:
    status, _, body = fetch(f"{base}/api/v1/cities/{CITY}/processes")
    if status != 200:
        raise BenchError(f"GET /api/v1/cities/{CITY}/processes answered {status}: is the demo loaded?")
    data = json.loads(body)
    items = data.get("items", []) if isinstance(data, dict) else data
    if not items:
        raise BenchError(f"the demo city {CITY!r} has no published process")
    return urllib.parse.urlsplit(items[0]["url"]).path


# --- Load generators --------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_wrk(output: str) -> dict[str, object]:
    def number(pattern: str) -> float | None:
        match = re.search(pattern, output, re.MULTILINE)
        return float(match.group(1)) if match else None

    result: dict[str, object] = {"requests_per_s": number(r"^Requests/sec:\s+([\d.]+)")}
    for pct in ("50", "99"):
        match = re.search(rf"^\s+{pct}(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.MULTILINE)
        result[f"p{pct}_ms"] = round(float(match.group(1)) * _UNITS_MS[match.group(2)], 3) if match else None
    total = number(r"^\s+(\d+) requests in")
    result["requests"] = int(total) if total is not None else None
    result["non_2xx"] = int(number(r"^\s+Non-2xx or 3xx responses:\s+(\d+)") or 0)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["socket_errors"] = sum(int(n) for n in errors.groups()) if errors else 0
    if result["requests_per_s"] is None or result["p50_ms"] is None:
        raise BenchError(f"could not parse wrk's output:\n{output}")
    return result


def wrk_version(wrk: str) -> str:
    proc = subprocess.run([wrk, "--version"], capture_output=True, text=True, timeout=10)
    first = (proc.stdout or proc.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0].strip() if first else "wrk"


def run_wrk(wrk: str, url: str, threads: int, connections: int, seconds: float) -> dict[str, object]:
    assert urllib.parse.urlsplit(url).hostname == HOST, url
    cmd = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "5s",
        "--latency",
        url,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return parse_wrk(proc.stdout)


def run_python_load(url: str, connections: int, seconds: float) -> dict[str, object]:
    """Fallback when wrk is missing: one thread per connection, HTTP/1.1 keep-alive, stdlib only.

    Python threads share one interpreter lock, so this generator saturates sooner than wrk: its
    figures are a lower bound and are not comparable with wrk's.
    """
    parts = urllib.parse.urlsplit(url)
    assert parts.hostname == HOST, url
    path = parts.path or "/"
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"non_2xx": 0, "errors": 0}

    def worker() -> None:
        conn: http.client.HTTPConnection | None = None
        mine: list[float] = []
        bad = errors = 0
        while time.monotonic() < deadline:
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(HOST, parts.port, timeout=5)
                started = time.perf_counter()
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                mine.append((time.perf_counter() - started) * 1000)
                if not 200 <= response.status < 400:
                    bad += 1
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                errors += 1
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()
        with lock:
            latencies.extend(mine)
            counts["non_2xx"] += bad
            counts["errors"] += errors

    started = time.monotonic()
    pool = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=seconds + 15)
    elapsed = time.monotonic() - started
    latencies.sort()

    def percentile(p: float) -> float | None:
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 3)

    return {
        "requests_per_s": round(len(latencies) / elapsed, 2),
        "p50_ms": percentile(50),
        "p99_ms": percentile(99),
        "requests": len(latencies),
        "non_2xx": counts["non_2xx"],
        "socket_errors": counts["errors"],
    }


# --- SQL queries and page weight (runs in a child process, inside Django) ---------------------


def count_queries(out_path: str, paths: list[str]) -> None:
    import django

    django.setup()
    import sqlite3

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    pages = []
    for path in paths:
        client.get(path, secure=True)  # cold: caches, translations, template loading
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, secure=True)
        queries = list(ctx.captured_queries)  # now: the next request_started empties connection.queries
        content = response.content
        timings, sql_timings = [], []
        for _ in range(APP_SAMPLES):
            with CaptureQueriesContext(connection) as sample:
                started = time.perf_counter()
                client.get(path, secure=True)
                timings.append((time.perf_counter() - started) * 1000)
            sql_timings.append(sum(float(q["time"]) for q in sample.captured_queries) * 1000)
        timings.sort()
        sql_timings.sort()
        pages.append(
            {
                "path": path,
                "status": response.status_code,
                "sql_queries": len(queries),
                "sql_ms": round(sql_timings[len(sql_timings) // 2], 3),  # Django times each query to 1 ms
                "bytes": len(content),
                "gzip_bytes": len(gzip.compress(content, compresslevel=6, mtime=0)),  # as GZipMiddleware
                "app_ms": round(timings[len(timings) // 2], 3),
                "sql": [q["sql"] for q in queries],
            }
        )
    if connection.vendor == "sqlite":
        version = sqlite3.sqlite_version
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0].split()[0]
    database = {"vendor": connection.vendor, "version": version}
    Path(out_path).write_text(json.dumps({"database": database, "pages": pages}))


def measure_queries(env: dict[str, str], paths: list[str], tmp: Path) -> dict[str, object]:
    out = tmp / "queries.json"
    proc = subprocess.run(
        [venv_python(), str(Path(__file__).resolve()), "--count-queries", str(out), *paths],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode != 0 or not out.exists():
        raise BenchError(f"counting queries failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    measured = json.loads(out.read_text())
    for page in measured["pages"]:
        if page["status"] != 200:
            raise BenchError(f"GET {page['path']} answered {page['status']} to django.test.Client, not 200")
    return measured


# --- Report -----------------------------------------------------------------------------------


def table(pages: list[dict[str, object]]) -> str:
    header = ("page", "req/s", "p50 ms", "p99 ms", "SQL", "bytes", "gzip", "non-2xx")
    rows = [header]
    for page in pages:
        rows.append(
            (
                str(page["path"]),
                f"{page['requests_per_s']:.1f}",
                f"{page['p50_ms']:.1f}" if page["p50_ms"] is not None else "-",
                f"{page['p99_ms']:.1f}" if page["p99_ms"] is not None else "-",
                str(page["sql_queries"]),
                str(page["bytes"]),
                str(page["gzip_bytes"]),
                str(page["non_2xx"]),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per page (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per page (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="server workers (default 2)")
    parser.add_argument(
        "--tool",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator: wrk if installed (auto), or the stdlib fallback",
    )
    parser.add_argument("--show-sql", action="store_true", help="print the SQL each page runs")
    parser.add_argument("--no-save", action="store_true", help="print only; do not write bench/results/")
    parser.add_argument("--count-queries", nargs="+", metavar=("OUT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.count_queries:
        count_queries(args.count_queries[0], args.count_queries[1:])
        return 0

    wrk = shutil.which("wrk") if args.tool in {"auto", "wrk"} else None
    if args.tool == "wrk" and not wrk:
        raise BenchError("wrk is not installed (apt-get install wrk), or use --tool python")
    if wrk:
        tool = wrk_version(wrk)
    else:
        tool = f"python {platform.python_version()} stdlib http.client, {args.connections} threads (no wrk)"
        log("wrk not found: using the stdlib load generator (lower figures, not comparable with wrk)")

    database_url = os.environ.get("DATABASE_URL", "")
    if database_url:
        ensure_postgres_database(database_url)

    load_before = round(os.getloadavg()[0], 2)
    if load_before > BUSY_LOADAVG:
        log(f"the machine is busy (load average {load_before}): figures will be lower and noisier")
    tmp = Path(tempfile.mkdtemp(prefix="civiclab-bench-"))
    env = app_env(tmp / "data")
    server = Server(env, free_port(), args.workers, tmp / "server.log")
    previous_sigterm = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        server.start()
        startup_s = server.wait_ready()
        log(f"server ready on {server.base} after {startup_s:.1f} s")
        paths = ["/", f"/{CITY}/", find_process_page(server.base)]
        for path in paths:
            status, _, _ = fetch(server.base + path)
            if status != 200:
                raise BenchError(f"GET {path} answered {status}, not 200")

        log("counting SQL queries")
        measured = measure_queries(env, paths, tmp)
        database = measured["database"]
        by_path = {page["path"]: page for page in measured["pages"]}

        pages = []
        for path in paths:
            url = server.base + path
            log(f"{path}: warm-up {args.warmup:g} s, then {args.duration:g} s of load")
            if wrk:
                run_wrk(wrk, url, args.threads, args.connections, args.warmup)
                load = run_wrk(wrk, url, args.threads, args.connections, args.duration)
            else:
                run_python_load(url, args.connections, args.warmup)
                load = run_python_load(url, args.connections, args.duration)
            query = by_path[path]
            pages.append(
                {
                    "path": path,
                    "requests_per_s": load["requests_per_s"],
                    "p50_ms": load["p50_ms"],
                    "p99_ms": load["p99_ms"],
                    "sql_queries": query["sql_queries"],
                    "bytes": query["bytes"],
                    "gzip_bytes": query["gzip_bytes"],
                    "non_2xx": load["non_2xx"],
                    "requests": load["requests"],
                    "socket_errors": load["socket_errors"],
                    "sql_ms": query["sql_ms"],
                    "app_ms": query["app_ms"],
                }
            )
            if args.show_sql:
                print(f"\n# {path}: {query['sql_queries']} queries")
                for n, statement in enumerate(query["sql"], 1):
                    print(f"{n:3}. {statement}")
    except BenchError:
        log(f"server log (last lines):\n{server.tail(40)}")
        raise
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous_sigterm)
        shutil.rmtree(tmp, ignore_errors=True)

    git = git_commit()
    result = {
        "date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "git_commit": git["commit"],
        "git_dirty": git["dirty"],
        "machine": {
            "nproc": nproc(),
            "cpu": cpu_model(),
            "python": platform.python_version(),
            "database": f"{database['vendor']} {database['version']}",
            "loadavg_before": load_before,
            "loadavg_after": round(os.getloadavg()[0], 2),
        },
        "tool": tool,
        "settings": {
            "workers": args.workers,
            "threads": args.threads if wrk else args.connections,
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "server": f"granian ({args.workers} workers, 4 threads each), CIVICLAB_ENV=production, "
            "DEBUG off, plain HTTP on loopback",
            "django_settings": env["DJANGO_SETTINGS_MODULE"],
            "cache": "redis" if env.get("REDIS_URL") else "locmem",
        },
        "pages": pages,
    }
    print(
        f"\nCivicLab pages, {result['machine']['database']}, {tool}, {args.workers} workers, "
        f"{args.connections} connections, {args.duration:g} s per page ({result['git_commit']}, "
        f"{result['machine']['nproc']} cores)\n"
    )
    print(table(pages))
    if not args.no_save:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        out = RESULTS_DIR / f"pages-{database['vendor']}.json"
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"\nwritten: {out.relative_to(ROOT)}")
    failures = [p["path"] for p in pages if p["non_2xx"] or p["socket_errors"]]
    if failures:
        log(f"some requests failed under load on: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        log(f"error: {exc}")
        sys.exit(1)
