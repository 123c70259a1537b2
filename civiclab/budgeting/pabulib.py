"""The pabulib `.pb` format: a strict reader and a writer.

A file has three sections, each a `;`-separated table with a header row: META (key;value), PROJECTS
(project_id;cost;...) and VOTES (voter_id;vote[;points];...). Fields follow Python's csv dialect: a field that
starts with `"` is quoted and `""` escapes a quote. See https://pabulib.org/format.

Ballots are held in one CSR table (`indptr`, `indices`) instead of one object per voter: Łódź 2022 has 90,494
voters, for whom a Python set each would cost tens of MB where these arrays cost 2 MB. Other voter columns
(age, sex...) are held as categories with integer codes for the same reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from itertools import repeat
from pathlib import Path

import numpy as np
import numpy.typing as npt

VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
POINT_TYPES = ("cumulative", "scoring")
SECTIONS = ("meta", "projects", "votes")

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]


class PabulibError(ValueError):
    """A file that is not valid pabulib; `line` is 1-based, in the file as read."""

    def __init__(self, message: str, line: int | None = None, source: str = "<string>") -> None:
        self.message = message
        self.line = line
        self.source = source
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


def parse_number(text: str) -> Fraction:
    """Exact value of a cost or budget; a decimal comma is accepted, as pabutools does."""
    try:
        return Fraction(text.strip().replace(",", "."))
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"not a number: {text!r}") from None


@dataclass(frozen=True)
class Project:
    id: str
    cost: Fraction
    # Every column of the PROJECTS row as written (project_id and cost included), so export loses nothing.
    fields: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        return self.fields.get("name", self.id)


@dataclass(frozen=True, eq=False)
class Column:
    """A voter column as categories and codes: `values[codes[i]]` is voter i's value."""

    values: tuple[str, ...]
    codes: Int32Array

    @classmethod
    def from_strings(cls, items: Sequence[str]) -> Column:
        values = tuple(dict.fromkeys(items))
        index = {v: i for i, v in enumerate(values)}
        return cls(values, np.array(list(map(index.__getitem__, items)), dtype=np.int32))

    def __getitem__(self, voter: int) -> str:
        return self.values[int(self.codes[voter])]

    def __len__(self) -> int:
        return len(self.codes)


@dataclass(frozen=True, eq=False)
class Election:
    """One PB election: META, projects in file order, and every ballot (empty ones included: they count)."""

    meta: Mapping[str, str]
    projects: tuple[Project, ...]
    voter_ids: tuple[str, ...]
    indptr: IntArray  # ballot i lists indices[indptr[i]:indptr[i + 1]], in the order written (ranks)
    indices: Int32Array  # positions in `projects`
    points: FloatArray | None = None  # parallel to `indices`, for cumulative and scoring ballots
    voter_fields: Mapping[str, Column] = field(default_factory=dict)
    project_columns: tuple[str, ...] = ("project_id", "cost")
    vote_columns: tuple[str, ...] = ("voter_id", "vote")

    @property
    def vote_type(self) -> str:
        return self.meta["vote_type"]

    @cached_property
    def budget(self) -> Fraction:
        return parse_number(self.meta["budget"])

    @property
    def num_voters(self) -> int:
        return len(self.voter_ids)

    @cached_property
    def project_index(self) -> dict[str, int]:
        return {p.id: i for i, p in enumerate(self.projects)}

    def ballot(self, voter: int) -> list[str]:
        lo, hi = self.indptr[voter], self.indptr[voter + 1]
        return [self.projects[j].id for j in self.indices[lo:hi]]

    def ballot_points(self, voter: int) -> list[float]:
        if self.points is None:
            return []
        return [float(x) for x in self.points[self.indptr[voter] : self.indptr[voter + 1]]]

    @cached_property
    def supporters(self) -> tuple[Int32Array, ...]:
        """For each project, the sorted voters who list it (any vote type: listed means approved)."""
        voters = np.repeat(np.arange(self.num_voters, dtype=np.int64), np.diff(self.indptr))
        # Ballots hold no repeated project (checked on reading), so a sort groups them by project.
        keys = np.sort(self.indices.astype(np.int64) * max(self.num_voters, 1) + voters)
        project = keys // max(self.num_voters, 1)
        bounds = np.searchsorted(project, np.arange(len(self.projects) + 1))
        voter_of = (keys % max(self.num_voters, 1)).astype(np.int32)
        return tuple(voter_of[bounds[j] : bounds[j + 1]] for j in range(len(self.projects)))

    @cached_property
    def vote_counts(self) -> IntArray:
        return np.array([len(s) for s in self.supporters], dtype=np.int64)

    @classmethod
    def from_ballots(
        cls,
        meta: Mapping[str, str],
        projects: Iterable[Project | tuple[str, int | str | Fraction]],
        ballots: Sequence[Sequence[str]],
        *,
        voter_ids: Sequence[str] | None = None,
        points: Sequence[Sequence[float]] | None = None,
        voter_fields: Mapping[str, Sequence[str]] | None = None,
    ) -> Election:
        """Builds an election from plain data (the app's ballots, or a test); checked like a file."""
        plist = [p if isinstance(p, Project) else _project(p[0], p[1]) for p in projects]
        full_meta = dict(meta)
        full_meta.setdefault("num_projects", str(len(plist)))
        full_meta.setdefault("num_votes", str(len(ballots)))
        full_meta.setdefault("vote_type", "approval")
        ids = list(voter_ids) if voter_ids is not None else [str(i + 1) for i in range(len(ballots))]
        columns = ["voter_id", "vote"] + (["points"] if points is not None else [])
        columns += list(voter_fields or {})
        data = [ids, [",".join(ballot) for ballot in ballots]]
        if points is not None:
            data.append([",".join(_format_points(x) for x in row) for row in points])
        data += [list(values) for values in (voter_fields or {}).values()]
        if any(len(column) != len(ballots) for column in data):
            raise ValueError("voter_ids, points and voter_fields need one entry per ballot")
        return _Builder("<ballots>").build(full_meta, plist, columns, data)


def _project(pid: str, cost: int | str | Fraction) -> Project:
    cost_text = str(cost) if not isinstance(cost, Fraction) else _format_fraction(cost)
    return Project(pid, parse_number(cost_text), {"project_id": pid, "cost": cost_text})


def _format_fraction(x: Fraction) -> str:
    if x.denominator == 1:
        return str(x.numerator)
    text = f"{float(x)!r}"
    if Fraction(text) != x:
        raise ValueError(f"{x} has no exact decimal form")
    return text


def _format_points(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _list_lengths(texts: Sequence[str]) -> IntArray:
    """Entries in each comma-separated list ("" is an empty list)."""
    commas = np.fromiter(map(str.count, texts, repeat(",")), np.int64, len(texts))
    empty = np.fromiter(map(len, texts), np.int64, len(texts)) == 0
    return np.where(empty, 0, commas + 1)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class _Builder:
    """Checks rows and builds the arrays; every error names the line."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, message: str, line: int | None = None) -> PabulibError:
        return PabulibError(message, line, self.source)

    def build(
        self,
        meta: Mapping[str, str],
        projects: list[Project],
        columns: Sequence[str],
        data: Sequence[Sequence[str]],
        lines: Sequence[int] | None = None,
        meta_lines: Mapping[str, int] | None = None,
        header_line: int | None = None,
    ) -> Election:
        meta_lines = meta_lines or {}
        for key in ("budget", "vote_type"):
            if key not in meta:
                raise self.fail(f"META has no {key!r}")
        vote_type = meta["vote_type"]
        if vote_type not in VOTE_TYPES:
            raise self.fail(
                f"unknown vote_type {vote_type!r} (expected one of {', '.join(VOTE_TYPES)})",
                meta_lines.get("vote_type"),
            )
        try:
            budget = parse_number(meta["budget"])
        except ValueError as e:
            raise self.fail(f"budget: {e}", meta_lines.get("budget")) from None
        if budget < 0:
            raise self.fail("budget is negative", meta_lines.get("budget"))
        if "num_projects" in meta and meta["num_projects"].strip() != str(len(projects)):
            raise self.fail(
                f"num_projects is {meta['num_projects']} but PROJECTS has {len(projects)} rows",
                meta_lines.get("num_projects"),
            )

        columns = [c.strip() for c in columns]
        for needed in ("voter_id", "vote"):
            if needed not in columns:
                raise self.fail(f"VOTES header has no {needed!r} column", header_line)
        if len(set(columns)) != len(columns):
            raise self.fail("VOTES header repeats a column", header_line)
        has_points = vote_type in POINT_TYPES
        if has_points and "points" not in columns:
            raise self.fail(f"a {vote_type} election needs a 'points' column", header_line)
        col_id, col_vote = columns.index("voter_id"), columns.index("vote")
        col_points = columns.index("points") if has_points else -1
        extra = [(i, c) for i, c in enumerate(columns) if i not in (col_id, col_vote, col_points)]

        n = len(data[0])

        def line(k: int) -> int | None:
            return lines[k] if lines is not None else None

        ids = list(map(str.strip, data[col_id]))
        if len(set(ids)) != n or "" in ids:
            seen: set[str] = set()
            for k, voter_id in enumerate(ids):
                if not voter_id:
                    raise self.fail("empty voter_id", line(k))
                if voter_id in seen:
                    raise self.fail(f"voter_id {voter_id!r} appears twice", line(k))
                seen.add(voter_id)

        # Ballots are decoded in bulk (one split, one dict lookup per entry) rather than row by row: this is
        # the hot path of reading Łódź 2022 (326k entries). Rows are only revisited to name a line at fault.
        votes = list(map(str.strip, data[col_vote]))
        counts = _list_lengths(votes)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        tokens = ",".join(v for v in votes if v).split(",") if indptr[-1] else []
        index = {p.id: j for j, p in enumerate(projects)}
        try:
            flat = np.array(list(map(index.__getitem__, tokens)), dtype=np.int64)
        except KeyError:
            flat = np.array([index.get(t, -1) for t in tokens], dtype=np.int64)
        for pos in np.flatnonzero(flat < 0).tolist():
            token = tokens[pos].strip()
            if token not in index:
                k = int(np.searchsorted(indptr, pos, side="right")) - 1
                message = f"vote lists unknown project {token!r}" if token else "empty project id in vote"
                raise self.fail(message, line(k))
            flat[pos] = index[token]
        owner = np.repeat(np.arange(n, dtype=np.int64), counts)
        keys = np.sort(owner * max(len(projects), 1) + flat)
        twice = np.flatnonzero(keys[1:] == keys[:-1])
        if len(twice):
            raise self.fail("vote lists a project twice", line(int(keys[twice[0]]) // max(len(projects), 1)))
        if vote_type == "choose-1" and n and counts.max() > 1:
            k = int(np.argmax(counts > 1))
            raise self.fail(f"a choose-1 ballot lists {counts[k]} projects", line(k))
        flat_points: FloatArray | None = None
        if has_points:
            texts = list(map(str.strip, data[col_points]))
            pcounts = _list_lengths(texts)
            if not np.array_equal(pcounts, counts):
                k = int(np.argmax(pcounts != counts))
                raise self.fail(f"{counts[k]} projects but {pcounts[k]} points", line(k))
            ptokens = ",".join(t for t in texts if t).split(",") if indptr[-1] else []
            try:
                flat_points = np.array(list(map(float, ptokens)), dtype=np.float64)
            except ValueError:
                pos = next(i for i, t in enumerate(ptokens) if not _is_float(t))
                k = int(np.searchsorted(indptr, pos, side="right")) - 1
                raise self.fail(f"points: not a number: {ptokens[pos]!r}", line(k)) from None
            if not np.isfinite(flat_points).all():
                k = int(np.searchsorted(indptr, int(np.argmin(np.isfinite(flat_points))), side="right")) - 1
                raise self.fail("points must be finite numbers", line(k))
        extra_values = [data[i] for i, _ in extra]
        if "num_votes" in meta and meta["num_votes"].strip() != str(len(ids)):
            raise self.fail(
                f"num_votes is {meta['num_votes']} but VOTES has {len(ids)} rows", meta_lines.get("num_votes")
            )
        return Election(
            meta=dict(meta),
            projects=tuple(projects),
            voter_ids=tuple(ids),
            indptr=indptr,
            indices=flat.astype(np.int32),
            points=flat_points,
            voter_fields={c: Column.from_strings(v) for (_, c), v in zip(extra, extra_values, strict=True)},
            project_columns=tuple(projects[0].fields) if projects else ("project_id", "cost"),
            vote_columns=tuple(columns),
        )


def _vote_columns(b: _Builder, rest: str, first_line: int, width: int) -> tuple[list[list[str]], list[int]]:
    """The rows after the VOTES header as columns (blank rows left out), with each row's line number."""
    if '"' not in rest and rest.count("\r") == rest.count("\r\n"):
        # Nothing quoted: plain splitting gives what csv would, without a list per row (Łódź 2022 has 90k).
        texts = rest.replace("\r\n", "\n").split("\n")
        lines = list(range(first_line, first_line + len(texts)))
        blank = [k for k, t in enumerate(texts) if not t or t.isspace()]
        if blank:
            skip = set(blank)
            texts = [t for k, t in enumerate(texts) if k not in skip]
            lines = [n for k, n in enumerate(lines) if k not in skip]
        fields = np.fromiter(map(str.count, texts, repeat(";")), np.int64, len(texts)) + 1
        wrong = np.flatnonzero(fields != width)
        if len(wrong):
            k = int(wrong[0])
            _check_row(b, texts[k].split(";"), width, lines[k])
        flat = ";".join(texts).split(";") if texts else []
        return [flat[i::width] for i in range(width)], lines
    reader = csv.reader(io.StringIO(rest, newline=""), delimiter=";", strict=True)
    rows: list[list[str]] = []
    lines = []
    try:
        for row in reader:
            line = first_line - 1 + reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != width:
                _check_row(b, row, width, line)
            rows.append(row)
            lines.append(line)
    except csv.Error as e:
        raise b.fail(f"bad quoting: {e}", first_line - 1 + reader.line_num) from None
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)], lines


def _check_row(b: _Builder, row: list[str], width: int, line: int) -> None:
    if len(row) == 1 and row[0].strip().lower() in SECTIONS:
        raise b.fail(f"section {row[0].strip()} out of order (want META, PROJECTS, VOTES)", line)
    if len(row) != width:
        raise b.fail(f"VOTES row has {len(row)} fields, the header has {width}", line)


def parse(text: str, source: str = "<string>") -> Election:
    """Reads a whole `.pb` text (a leading BOM is ignored); raises PabulibError with the line at fault."""
    b = _Builder(source)
    buf = io.StringIO(text.removeprefix("\ufeff"), newline="")
    reader = csv.reader(buf, delimiter=";", strict=True)
    section = ""
    expected = iter(SECTIONS)
    header: list[str] = []
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    projects: list[Project] = []
    project_ids: set[str] = set()
    vote_data: list[list[str]] = []
    vote_lines: list[int] = []
    vote_header_line = 0
    try:
        for row in reader:
            line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            name = row[0].strip().lower()
            if len(row) == 1 and name in SECTIONS:
                if name != next(expected, None):
                    raise b.fail(f"section {row[0].strip()} out of order (want META, PROJECTS, VOTES)", line)
                section = name
                header = [c.strip() for c in next(reader, [])]
                if section == "votes":
                    vote_header_line = reader.line_num
                    if not header:
                        raise b.fail("VOTES has no header row", vote_header_line)
                    vote_data, vote_lines = _vote_columns(b, buf.read(), vote_header_line + 1, len(header))
                    break
                if section == "meta" and header != ["key", "value"]:
                    raise b.fail("the META header must be key;value", reader.line_num)
                if section == "projects":
                    for needed in ("project_id", "cost"):
                        if needed not in header:
                            raise b.fail(f"PROJECTS header has no {needed!r} column", reader.line_num)
                    if len(set(header)) != len(header):
                        raise b.fail("PROJECTS header repeats a column", reader.line_num)
                continue
            if section == "meta":
                if len(row) != 2:
                    raise b.fail(f"a META row has 2 fields, this one has {len(row)}", line)
                key = row[0].strip()
                if key in meta:
                    raise b.fail(f"META key {key!r} appears twice", line)
                meta[key] = row[1].strip()
                meta_lines[key] = line
            elif section == "projects":
                if len(row) != len(header):
                    raise b.fail(f"PROJECTS row has {len(row)} fields, the header has {len(header)}", line)
                fields = {h: v.strip() for h, v in zip(header, row, strict=True)}
                pid = fields["project_id"]
                if not pid or "," in pid:
                    raise b.fail(f"invalid project_id {pid!r}", line)
                if pid in project_ids:
                    raise b.fail(f"project_id {pid!r} appears twice", line)
                try:
                    cost = parse_number(fields["cost"])
                except ValueError as e:
                    raise b.fail(f"cost: {e}", line) from None
                if cost < 0:
                    raise b.fail("cost is negative", line)
                project_ids.add(pid)
                projects.append(Project(pid, cost, fields))
            else:
                raise b.fail("the file must start with META", line)
    except csv.Error as e:
        raise b.fail(f"bad quoting: {e}", reader.line_num) from None
    if section != "votes":
        missing = SECTIONS[SECTIONS.index(section) + 1 :] if section else SECTIONS
        raise b.fail(f"missing section(s): {', '.join(s.upper() for s in missing)}")
    return b.build(meta, projects, header, vote_data, vote_lines, meta_lines, vote_header_line)


def read(path: str | Path) -> Election:
    path = Path(path)
    return parse(path.read_text(encoding="utf-8-sig"), source=path.name)


def dumps(election: Election) -> str:
    """The election as `.pb` text (LF line ends, minimal quoting); `parse(dumps(e))` gives `e` back."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(election.meta)
    meta["num_projects"] = str(len(election.projects))
    meta["num_votes"] = str(election.num_voters)
    out.write("META\n")
    w.writerow(["key", "value"])
    w.writerows(meta.items())
    out.write("PROJECTS\n")
    pcols = list(election.project_columns)
    w.writerow(pcols)
    for p in election.projects:
        w.writerow([p.fields.get(c, p.id if c == "project_id" else "") for c in pcols])
    out.write("VOTES\n")
    vcols = list(election.vote_columns)
    w.writerow(vcols)
    ids = [p.id for p in election.projects]
    indptr, indices, points = election.indptr, election.indices.tolist(), election.points
    point_list = points.tolist() if points is not None else []
    fields = election.voter_fields
    for i, voter_id in enumerate(election.voter_ids):
        lo, hi = int(indptr[i]), int(indptr[i + 1])
        row = []
        for c in vcols:
            if c == "voter_id":
                row.append(voter_id)
            elif c == "vote":
                row.append(",".join(ids[j] for j in indices[lo:hi]))
            elif c == "points":
                row.append(",".join(_format_points(x) for x in point_list[lo:hi]))
            else:
                row.append(fields[c][i])
        w.writerow(row)
    return out.getvalue()


def write(election: Election, path: str | Path) -> None:
    Path(path).write_text(dumps(election), encoding="utf-8")
