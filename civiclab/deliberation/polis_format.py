"""Reading conversations in Pol.is formats: the open-data CSV export and the math API's JSON.

Open data (https://github.com/compdemocracy/openData) has `comments.csv` (moderated: 1 accepted,
0 unmoderated, -1 rejected) and either `votes.csv` (every vote with its timestamp, agree = +1) or only
`participants-votes.csv` (the final answers, one row per participant, one column per statement).
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from .matrix import Votes


@dataclass(frozen=True)
class Conversation:
    votes: Votes
    moderated_out: frozenset[int]
    meta: frozenset[int]


def _truthy(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "t", "yes"}


def read_comments_csv(path: Path) -> tuple[frozenset[int], frozenset[int]]:
    """(rejected statement ids, meta statement ids). Unmoderated statements stay in, as in Pol.is."""
    rejected: set[int] = set()
    meta: set[int] = set()
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            tid = int(row["comment-id"])
            if int(float(row.get("moderated") or 0)) == -1:
                rejected.add(tid)
            if _truthy(row.get("is-meta") or row.get("is_meta") or ""):
                meta.add(tid)
    return frozenset(rejected), frozenset(meta)


def latest_votes(
    participant_ids: np.ndarray[Any, np.dtype[np.int64]],
    statement_ids: np.ndarray[Any, np.dtype[np.int64]],
    values: np.ndarray[Any, np.dtype[np.int8]],
    timestamps: np.ndarray[Any, np.dtype[np.float64]],
) -> Votes:
    """One vote per (participant, statement): the most recent; among equal times, the first listed."""
    order = np.lexsort((np.arange(len(values)), -timestamps, statement_ids, participant_ids))
    p, s = participant_ids[order], statement_ids[order]
    first = np.ones(len(order), dtype=np.bool_)
    first[1:] = (p[1:] != p[:-1]) | (s[1:] != s[:-1])
    keep = order[first]
    return Votes(participant_ids[keep], statement_ids[keep], values[keep])


def read_votes_csv(path: Path) -> Votes:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = [(r["voter-id"], r["comment-id"], r["vote"], r["timestamp"]) for r in reader]
    if not rows:
        return Votes.from_lists([], [], [])
    pid, tid, vote, ts = (np.asarray(col) for col in zip(*rows, strict=True))
    return latest_votes(
        pid.astype(np.int64),
        tid.astype(np.int64),
        vote.astype(np.float64).astype(np.int8),
        ts.astype(np.float64),
    )


def read_participants_votes_csv(path: Path) -> Votes:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        statement_cols = [i for i, name in enumerate(header) if name.strip().lstrip("-").isdigit()]
        pid_col = header.index("participant")
        rows = [(row[pid_col], [row[i] if i < len(row) else "" for i in statement_cols]) for row in reader]
    if not rows:
        return Votes.from_lists([], [], [])
    cells = np.asarray([cells for _, cells in rows])
    r, c = np.nonzero(cells != "")
    pids = np.asarray([int(pid) for pid, _ in rows], dtype=np.int64)
    tids = np.asarray([int(header[i]) for i in statement_cols], dtype=np.int64)
    return Votes(pids[r], tids[c], cells[r, c].astype(np.float64).astype(np.int8))


def read_open_data(directory: Path) -> Conversation:
    """A conversation from an open-data export directory (votes.csv preferred, as it is the full record)."""
    rejected, meta = read_comments_csv(directory / "comments.csv")
    votes_csv = directory / "votes.csv"
    if votes_csv.exists():
        votes = read_votes_csv(votes_csv)
    else:
        votes = read_participants_votes_csv(directory / "participants-votes.csv")
    return Conversation(votes=votes, moderated_out=rejected, meta=meta)


def _pick(record: dict[str, Any], *names: str) -> Any:
    for name in names:
        if name in record:
            return record[name]
    raise KeyError(names[0])


def read_polis_api_json(directory: Path) -> Conversation:
    """A conversation saved from the Pol.is API (votes.json, comments.json), as in red-dwarf's fixtures.

    The fixture votes already use agree = +1 (red-dwarf flips the API's sign when it downloads them).
    """
    raw_votes = json.loads((directory / "votes.json").read_text(encoding="utf-8"))
    raw_comments = json.loads((directory / "comments.json").read_text(encoding="utf-8"))
    votes = latest_votes(
        np.asarray([int(_pick(v, "participant_id", "pid")) for v in raw_votes], dtype=np.int64),
        np.asarray([int(_pick(v, "statement_id", "tid")) for v in raw_votes], dtype=np.int64),
        np.asarray([int(v["vote"]) for v in raw_votes], dtype=np.int8),
        np.asarray([float(_pick(v, "modified", "created")) for v in raw_votes], dtype=np.float64),
    )
    rejected = {
        int(_pick(c, "statement_id", "tid")) for c in raw_comments if int(_pick(c, "moderated", "mod")) == -1
    }
    meta = {int(_pick(c, "statement_id", "tid")) for c in raw_comments if c.get("is_meta")}
    return Conversation(votes=votes, moderated_out=frozenset(rejected), meta=frozenset(meta))


# --- Writing the open-data format -------------------------------------------------------------------


@dataclass(frozen=True)
class CommentRecord:
    tid: int
    author_pid: int | None  # None for seed statements written by staff
    agrees: int
    disagrees: int
    moderated: int  # 1 accepted, 0 not moderated yet, -1 rejected
    text: str
    timestamp_ms: int
    is_meta: bool = False


@dataclass(frozen=True)
class VoteRecord:
    timestamp_ms: int
    tid: int
    pid: int
    vote: int  # agree = +1, as in the open-data exports


def polis_datetime(timestamp_ms: int) -> str:
    """The `datetime` column of the exports, in UTC: `Wed Jun 18 08:16:54 UTC 2014`."""
    return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(timestamp_ms / 1000))


def write_comments_csv(comments: Iterable[CommentRecord], out: TextIO) -> None:
    """comments.csv, with one column more than Pol.is writes (`is-meta`), which readers ignore or use."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "timestamp",
            "datetime",
            "comment-id",
            "author-id",
            "agrees",
            "disagrees",
            "moderated",
            "comment-body",
            "is-meta",
        ]
    )
    for c in comments:
        writer.writerow(
            [
                c.timestamp_ms,
                polis_datetime(c.timestamp_ms),
                c.tid,
                "" if c.author_pid is None else c.author_pid,
                c.agrees,
                c.disagrees,
                c.moderated,
                c.text,
                int(c.is_meta),
            ]
        )


def write_votes_csv(votes: Iterable[VoteRecord], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["timestamp", "datetime", "comment-id", "voter-id", "vote"])
    for v in votes:
        writer.writerow([v.timestamp_ms, polis_datetime(v.timestamp_ms), v.tid, v.pid, v.vote])


def write_participants_votes_csv(
    votes: Sequence[VoteRecord],
    tids: Sequence[int],
    groups: Mapping[int, int],
    comments_by: Mapping[int, int],
    out: TextIO,
) -> None:
    """One row per participant with their latest answer to each statement (blank: not answered)."""
    column = {tid: i for i, tid in enumerate(tids)}
    answers: dict[int, list[str]] = {}
    for v in votes:
        row = answers.setdefault(v.pid, [""] * len(tids))
        if v.tid in column:
            row[column[v.tid]] = str(v.vote)
    for pid in comments_by:
        answers.setdefault(pid, [""] * len(tids))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree", *map(str, tids)]
    )
    for pid in sorted(answers):
        cells = answers[pid]
        group = groups.get(pid)
        writer.writerow(
            [
                pid,
                "",
                "" if group is None else group,
                comments_by.get(pid, 0),
                sum(1 for c in cells if c),
                cells.count("1"),
                cells.count("-1"),
                *cells,
            ]
        )


def write_summary_csv(items: Iterable[tuple[str, str | int]], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    for key, value in items:
        writer.writerow([key, value])
