import os
import subprocess
import sys

import pytest

from civiclab.cities.models import City
from civiclab.core.models import AuditEvent
from civiclab.demo import load_demo
from civiclab.processes.models import Process

PRODUCTION = {
    "CIVICLAB_ENV": "production",
    "SECRET_KEY": "x" * 64 + "-not-a-real-key-but-long-enough-4a7f",
    "ALLOWED_HOSTS": "civiclab.example.org",
}


def run(*args, env=None):
    base = {
        k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }  # set by the browser tests
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "civiclab.cli", *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        timeout=120,
    )


def test_the_deployment_check_passes_with_production_settings(tmp_path):
    result = run(
        "manage",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION, "CIVICLAB_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run("manage", "check", env={"CIVICLAB_ENV": "production", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_command_lists_its_operations():
    result = run("--help")
    for word in ("run", "demo", "migrate", "createadmin", "manage"):
        assert word in result.stdout


def test_the_demo_network_has_three_cities_in_three_languages_and_every_stage(db):
    load_demo()
    cities = {c.slug: c for c in City.objects.all()}
    assert {c.default_language for c in cities.values()} == {"es", "it", "nl"}
    stages = {p.stage().value for p in Process.objects.filter(published=True).prefetch_related("phases")}
    assert stages == {"active"} | ({"finished"} & stages)
    kinds = {p.active_phase().kind for p in Process.objects.filter(published=True).prefetch_related("phases")}
    assert kinds == {"diagnosis", "co_design", "decision", "delivery", "evaluation"}
    # the loader writes through the actions, so the audit trail is complete
    assert AuditEvent.objects.filter(action="process.created").count() == Process.objects.count()
    with pytest.raises(RuntimeError):
        load_demo()
    assert "already" in load_demo(only_if_empty=True)


def test_createadmin_refuses_a_weak_password(tmp_path):
    result = run(
        "createadmin",
        "--email",
        "root@example.org",
        env={"CIVICLAB_ADMIN_PASSWORD": "12345", "CIVICLAB_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode != 0
    assert "Password refused" in result.stderr
