"""Seeds the network KPI catalogue from the fixture kept in this repository (see its attribution)."""

import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "kpi_catalogue.json"


def load(apps, schema_editor):
    Kpi = apps.get_model("accountability", "Kpi")
    for spec in json.loads(FIXTURE.read_text(encoding="utf-8"))["kpis"]:
        Kpi.objects.get_or_create(city=None, code=spec["code"], defaults={**spec, "status": "catalogue"})


def unload(apps, schema_editor):
    Kpi = apps.get_model("accountability", "Kpi")
    codes = [s["code"] for s in json.loads(FIXTURE.read_text(encoding="utf-8"))["kpis"]]
    Kpi.objects.filter(city=None, code__in=codes, adoptions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accountability", "0001_results_and_kpis")]
    operations = [migrations.RunPython(load, unload)]
