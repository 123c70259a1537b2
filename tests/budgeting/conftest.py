"""Budgeting tests: the real pabulib elections, when present, and pabutools' outcomes on them.

The `slow` marker and the rule that `slow` tests run only with `-m slow` live in pyproject.toml and
tests/conftest.py.
"""

import json
import os
from pathlib import Path

import pytest

DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib"
DATA = Path(os.environ.get("CIVICLAB_PABULIB_DATA", DEFAULT_DATA))
EXPECTED = Path(__file__).resolve().parent / "expected" / "pabutools-outcomes.json"


@pytest.fixture(scope="session")
def data_dir():
    if not DATA.is_dir():
        pytest.skip(f"no pabulib data at {DATA}")
    return DATA


@pytest.fixture(scope="session")
def expected(data_dir):
    """pabutools' outcomes, made by scripts/make_pb_expected.py (it must exist when the data does)."""
    assert EXPECTED.exists(), f"{EXPECTED} is missing: run scripts/make_pb_expected.py"
    return json.loads(EXPECTED.read_text())
