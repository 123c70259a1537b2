"""Shared fixtures for the opinion-map tests, and the `slow` marker.

Real Pol.is data lives outside the repository (../shared/data/polis, or $CIVICLAB_POLIS_DATA); tests that
need it skip when it is absent. Tests marked `slow` run only with `-m slow` (see tests/conftest.py).
"""

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLIS_DATA = Path(os.environ.get("CIVICLAB_POLIS_DATA", ROOT.parent / "shared" / "data" / "polis"))
OPEN_DATA = POLIS_DATA / "opendata"
POLISMATH_FIXTURES = POLIS_DATA / "polismath-fixtures"
EXPECTED = Path(__file__).resolve().parent / "expected" / "reddwarf-outcomes.json"


def reddwarf_outcomes() -> dict:
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture
def open_data() -> Path:
    if not OPEN_DATA.is_dir():
        pytest.skip(f"Pol.is open data not found at {OPEN_DATA}")
    return OPEN_DATA


@pytest.fixture
def polismath_fixtures() -> Path:
    if not POLISMATH_FIXTURES.is_dir():
        pytest.skip(f"Pol.is math fixtures not found at {POLISMATH_FIXTURES}")
    return POLISMATH_FIXTURES
