"""Adds the computed KPI "share of proposals answered within 90 days" to the network catalogue."""

import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "kpi_catalogue.json"
CODE = "civiclab-answered-90d"


def load(apps, schema_editor):
    Kpi = apps.get_model("accountability", "Kpi")
    for spec in json.loads(FIXTURE.read_text(encoding="utf-8"))["kpis"]:
        if spec["code"] == CODE:
            Kpi.objects.get_or_create(city=None, code=CODE, defaults={**spec, "status": "catalogue"})


def unload(apps, schema_editor):
    apps.get_model("accountability", "Kpi").objects.filter(city=None, code=CODE, adoptions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accountability", "0004_origin_proposal")]
    operations = [migrations.RunPython(load, unload)]
