"""Dashboard benchmark: the city dashboard, a KPI page and the network KPI view on PostgreSQL, with
100 cities x 50 KPIs x 10 years of monthly values (600,000 measurements).

    .venv/bin/python bench/dashboards.py      # PostgreSQL at $DATABASE_URL, or civiclab_bench_dashboards

The data is made with bulk_create (the subject is reading, not writing); the pages are rendered
server-side with Django's test client, REPEATS times each after a warm-up, and timed with
time.perf_counter. Writes bench/results/dashboards.json. Target: under 100 ms per page.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import ensure_postgres_database, git_commit, log  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "dashboards.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/civiclab_bench_dashboards"
CITIES, KPIS, YEARS = 100, 50, 10
REPEATS = 30
TARGET_MS = 100.0


def build() -> None:
    """Makes the data once; a second run finds it and goes straight to timing."""
    from civiclab.accountability.models import CityKpi, Kpi, Measurement
    from civiclab.cities.models import City

    if City.objects.filter(slug__startswith="bench-").count() == CITIES:
        log("data already there")
        return
    log("building cities, KPIs and measurements")
    cities = City.objects.bulk_create(
        City(
            name=f"Bench city {i:03d}",
            slug=f"bench-{i:03d}",
            country="ES",
            languages=["es", "en"],
            population=50_000 + 17_000 * i,
        )
        for i in range(CITIES)
    )
    existing = list(Kpi.objects.filter(city__isnull=True).order_by("code"))
    extra = Kpi.objects.bulk_create(
        Kpi(
            code=f"bench-{i:02d}",
            name=f"Bench indicator {i}",
            definition="A benchmark indicator.",
            unit="percent" if i % 2 else "count",
            normalise=not i % 2,
        )
        for i in range(KPIS - len(existing))
    )
    kpis = (existing + extra)[:KPIS]
    today = dt.date.today()
    start = dt.date(today.year - YEARS, today.month, 1)
    adoptions = CityKpi.objects.bulk_create(
        CityKpi(
            city=city,
            kpi=kpi,
            baseline_value=Decimal(20),
            baseline_date=start,
            target_value=Decimal(40),
            target_date=dt.date(today.year + 2, 1, 1),
        )
        for city in cities
        for kpi in kpis
    )
    months = [
        dt.date(start.year + (start.month - 1 + m) // 12, (start.month - 1 + m) % 12 + 1, 1)
        for m in range(12 * YEARS)
    ]
    batch: list[Measurement] = []
    made = 0
    for a in adoptions:
        rate = Decimal((a.city_id * 7 + a.kpi_id * 13) % 20) / 120
        for m, day in enumerate(months):
            value = Decimal(20) + rate * m
            batch.append(
                Measurement(
                    city_id=a.city_id,
                    adoption=a,
                    date=day,
                    value=value.quantize(Decimal("0.01")),
                    source="bench",
                    via="bench",
                )
            )
        if len(batch) >= 20_000:
            Measurement.objects.bulk_create(batch)
            made += len(batch)
            batch = []
            log(f"{made:,} measurements")
    Measurement.objects.bulk_create(batch)
    made += len(batch)
    log(f"{made:,} measurements in all")


def time_page(client, path: str) -> dict:
    from django.db import connection

    for _ in range(3):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    # A wrapper, not CaptureQueriesContext: it survives the reconnection between requests.
    with connection.execute_wrapper(count):
        client.get(path)
    samples = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {
        "path": path,
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 1),
        "max_ms": round(samples[-1], 1),
        "queries": len(queries),
        "bytes": len(response.content),
        "under_target": statistics.median(samples) < TARGET_MS,
    }


def main() -> int:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civiclab.settings")
    os.environ["DEBUG"] = "false"
    ensure_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        log("this benchmark needs PostgreSQL")
        return 2
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    build()
    build_s = time.perf_counter() - t
    from civiclab.accountability.models import CityKpi, Measurement

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    adoption = (
        CityKpi.objects.filter(city__slug="bench-050")
        .select_related("kpi", "city")
        .order_by("kpi__code")
        .first()
    )
    client = Client()
    pages = {
        "city_dashboard": time_page(client, f"/{adoption.city.slug}/kpis/"),
        "kpi_page": time_page(client, f"/{adoption.city.slug}/kpis/{adoption.kpi.code}/"),
        "network_kpi_view": time_page(client, f"/network/kpis/{adoption.kpi.code}/"),
        "network_kpi_view_values": time_page(client, f"/network/kpis/{adoption.kpi.code}/?view=values"),
    }
    report = {
        "benchmark": "dashboards",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "loadavg": os.getloadavg()},
        "database": "postgresql",
        "data": {
            "cities": CITIES,
            "kpis_per_city": KPIS,
            "years_monthly": YEARS,
            "measurements": Measurement.objects.count(),
            "build_seconds": round(build_s, 1),
        },
        "method": f"Django test client in one process, {REPEATS} renders after 3 warm-ups, DEBUG off",
        "target_ms": TARGET_MS,
        "pages": pages,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    for name, page in pages.items():
        log(
            f"{name:26s} median {page['median_ms']:6.1f} ms  p95 {page['p95_ms']:6.1f} ms  "
            f"{page['queries']} queries"
        )
    return 0 if all(p["under_target"] for p in pages.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
