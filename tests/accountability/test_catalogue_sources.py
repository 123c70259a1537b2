"""The KPI catalogue names SDG indicators in its own words; each code must be a real SDG indicator of the
UN framework kept in ../shared/data/standards/sdg (read here, never copied into the repository)."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SDG = ROOT.parent / "shared" / "data" / "standards" / "sdg"
CATALOGUE = ROOT / "civiclab" / "accountability" / "fixtures" / "kpi_catalogue.json"


@pytest.mark.skipif(not SDG.exists(), reason="../shared/data is not here")
def test_every_sdg_code_of_the_catalogue_is_a_real_indicator_and_target():
    indicators = (SDG / "global_indicators.yml").read_text(encoding="utf-8")
    targets = (SDG / "global_targets.yml").read_text(encoding="utf-8")
    kpis = json.loads(CATALOGUE.read_text(encoding="utf-8"))["kpis"]
    with_indicator = [k for k in kpis if k["sdg_indicator"]]
    assert with_indicator
    for kpi in with_indicator:
        assert f"\n{kpi['sdg_indicator'].replace('.', '-')}-title:" in "\n" + indicators, kpi["code"]
    for kpi in kpis:
        if kpi["sdg_target"]:
            assert f"\n{kpi['sdg_target'].replace('.', '-')}-title:" in "\n" + targets, kpi["code"]
