"""Our opinion map against real Pol.is server output (math-pca2.json from red-dwarf's test fixtures).

We replay the server's state the way red-dwarf's own test (tests/implementations/test_polis.py) does:
- k is forced to the server's group count (Pol.is holds k back with "k-smoothing" across updates);
- k-means starts from the server's group centres;
- participants Pol.is kept in from earlier updates are forced in (below-100-ptpts: 5, 10, 11, 14);
- the server's signs are flipped on the centre and projections (Pol.is stores agree as -1 internally).
Full agreement is expected only below 100 participants: above that Pol.is clusters 100 "base clusters"
instead of people and uses mini-batch PCA. There we check what does not depend on those steps.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from civiclab.deliberation.opinion_map import OpinionMap, Settings, compute_opinion_map
from civiclab.deliberation.polis_format import read_polis_api_json

FORCED_IN = {"below-100-ptpts": (5, 10, 11, 14)}
SMALL = ["below-100-ptpts", "25ptpt-3gp-no-strict-with-meta"]
ALL = [*SMALL, "50ptpt-3gp-strict-no-meta", "150ptpt-3gp-no-strict-no-meta", "above-100-ptpts"]


def replay(directory: Path) -> tuple[OpinionMap, dict]:
    math = json.loads((directory / "math-pca2.json").read_text(encoding="utf-8"))
    conversation = read_polis_api_json(directory)
    settings = Settings(
        force_k=len(math["group-clusters"]),
        init_centers=tuple((-g["center"][0], -g["center"][1]) for g in math["group-clusters"]),
        keep_participant_ids=FORCED_IN.get(directory.name, ()),
    )
    result = compute_opinion_map(conversation.votes, conversation.moderated_out, conversation.meta, settings)
    return result, math


def server_columns(result: OpinionMap, math: dict) -> list[int]:
    return [math["tids"].index(tid) for tid in result.statement_ids.tolist()]


def check_pca(result: OpinionMap, math: dict) -> None:
    columns = server_columns(result, math)
    assert result.components == pytest.approx(np.asarray(math["pca"]["comps"])[:, columns], abs=1e-9)
    assert result.mean == pytest.approx(-np.asarray(math["pca"]["center"])[columns], abs=1e-9)
    statement_xy = -np.asarray(math["pca"]["comment-projection"]).T[columns]
    assert result.statement_projections == pytest.approx(statement_xy, abs=1e-9)


def assert_same_entries(ours: list[dict], server: list[dict], rel: float) -> None:
    """Same keys and texts; numbers equal up to `rel` (the server rounds some to 32-bit floats)."""
    assert [sorted(s) for s in ours] == [sorted(s) for s in server]
    for mine, theirs in zip(ours, server, strict=True):
        for key, value in theirs.items():
            if isinstance(value, float):
                assert mine[key] == pytest.approx(value, rel=rel), (theirs["tid"], key)
            else:
                assert mine[key] == value, (theirs["tid"], key)


def check_consensus(result: OpinionMap, math: dict) -> None:
    for direction in ("agree", "disagree"):
        ours = [s.as_polis() for s in getattr(result.consensus, direction)]
        server = math["consensus"][direction]
        assert [s["tid"] for s in ours] == [s["tid"] for s in server], direction
        assert_same_entries(ours, server, rel=1e-12)


@pytest.mark.parametrize("name", SMALL)
def test_small_conversations_match_the_server(polismath_fixtures, name):
    result, math = replay(polismath_fixtures / name)
    check_pca(result, math)

    base = math["base-clusters"]  # below 100 participants each base cluster is one participant
    members = [m[0] for m in base["members"]]
    rows = np.searchsorted(result.participant_ids, members)
    server_xy = -np.column_stack([base["x"], base["y"]])
    assert result.projections[rows] == pytest.approx(server_xy, abs=1e-9)

    base_members = dict(zip(base["id"], base["members"], strict=True))
    server_groups = {
        pid: group["id"]
        for group in math["group-clusters"]
        for b in group["members"]
        for pid in base_members[b]
    }
    assert result.groups() == server_groups

    check_consensus(result, math)
    for group, picked in result.repness.items():
        server = math["repness"][str(group)]
        ours = [s.as_polis() for s in picked]
        assert [(s["tid"], s["repful-for"]) for s in ours] == [(s["tid"], s["repful-for"]) for s in server]
        assert_same_entries(ours, server, rel=1e-6)  # Pol.is stores repness-test as a 32-bit float

    agree = dict(zip(result.statement_ids.tolist(), result.group_consensus_agree.tolist(), strict=True))
    server_gac = {int(tid): value for tid, value in math["group-aware-consensus"].items()}
    assert {tid: agree[tid] for tid in server_gac if tid in agree} == pytest.approx(
        {tid: v for tid, v in server_gac.items() if tid in agree}, rel=1e-12
    )


def test_pca_matches_the_server_at_150_participants(polismath_fixtures):
    result, math = replay(polismath_fixtures / "150ptpt-3gp-no-strict-no-meta")
    check_pca(result, math)


@pytest.mark.parametrize("name", ALL)
def test_consensus_matches_the_server(polismath_fixtures, name):
    # Consensus is over everyone who voted, so it needs none of the server's clustering history.
    result, math = replay(polismath_fixtures / name)
    check_consensus(result, math)
