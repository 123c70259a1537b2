"""Check CivicLab's translation catalogues (run by `make lint`; standard library only).

For every civiclab/locale/<lang>/LC_MESSAGES/django.po this fails, naming the file and the msgid, when:
- an entry is untranslated or fuzzy (or the header is fuzzy);
- the placeholders (%(name)s, %s, {name}) of a msgstr differ from those of its msgid;
- the locales do not all hold the same msgids (one catalogue was not regenerated);
- django.mo is missing or does not hold exactly the translations of the .po (not recompiled).
"""

from __future__ import annotations

import ast
import gettext
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "civiclab" / "locale"
PLACEHOLDER = re.compile(
    r"%%"  # a literal percent sign, not a placeholder
    r"|%(?:\([^)]*\))?[#0+-]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|\{[A-Za-z_0-9]*\}"
)
CONTEXT_SEP = "\x04"  # how gettext keys a msgctxt into its catalogue


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return f"{self.msgctxt}{CONTEXT_SEP}{self.msgid}" if self.msgctxt is not None else self.msgid


def parse_po(path: Path) -> list[Entry]:
    """Parse a .po file into entries; the header is the entry with an empty msgid, obsolete #~ are skipped."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None  # which field continuation lines extend

    def finish() -> None:
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if target is not None and target[0] == "msgstr":
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            keyword, rest = "", line
        elif keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
            finish()
        text = ast.literal_eval(rest)  # a C-style quoted string; Python's rules agree for .po escapes
        if keyword.startswith("msgstr["):
            target = ("msgstr", int(keyword[7:-1]))
        elif keyword:
            target = (keyword, 0)
        if target is None:
            raise ValueError(f"{path}: unexpected line {raw!r}")
        name, index = target
        if name == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + text
        elif name == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        elif name == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + text
        else:
            entry.msgid += text
    finish()
    return entries


def placeholders(text: str) -> Counter[str]:
    return Counter(m for m in PLACEHOLDER.findall(text) if m != "%%")


def check_entry(entry: Entry) -> list[str]:
    if "fuzzy" in entry.flags:
        return ["is fuzzy"]
    if not entry.msgstr or any(not s for s in entry.msgstr.values()):
        return ["is untranslated"]
    sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
    allowed = [placeholders(s) for s in sources]
    expected = sorted(allowed[-1].elements())
    return [
        f"msgstr[{i}] has placeholders {sorted(placeholders(s).elements())}, expected {expected}"
        for i, s in sorted(entry.msgstr.items())
        if placeholders(s) not in allowed
    ]


def check_mo(po_path: Path, entries: list[Entry]) -> list[str]:
    """The compiled catalogue must hold exactly the .po's translations (so it was compiled from this .po)."""
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return [f"{mo_path}: missing"]
    with mo_path.open("rb") as fp:
        # _catalog is the parsed table: msgid -> msgstr, or (msgid, n) -> msgstr[n] for plurals.
        mo_catalog: dict[object, str] = gettext.GNUTranslations(fp)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for entry in entries:
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            expected.update({(entry.key, i): s for i, s in entry.msgstr.items()})
    mo_catalog = {k: v for k, v in mo_catalog.items() if k != ""}  # drop the header
    stale = [k for k in expected.keys() | mo_catalog.keys() if expected.get(k) != mo_catalog.get(k)]
    return [f"{mo_path}: differs from the .po for msgid {k!r}" for k in sorted(stale, key=str)[:5]]


def main() -> int:
    po_paths = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))
    if not po_paths:
        print(f"translations: no catalogues under {LOCALE_DIR}", file=sys.stderr)
        return 1
    errors: list[str] = []
    msgids: dict[Path, set[str]] = {}
    for po_path in po_paths:
        entries = parse_po(po_path)
        if any("fuzzy" in e.flags for e in entries if e.key == ""):
            errors.append(f"{po_path}: the header is fuzzy")
        entries = [e for e in entries if e.key != ""]
        problems = {id(e): check_entry(e) for e in entries}
        errors += [f"{po_path}: msgid {e.msgid!r} {p}" for e in entries for p in problems[id(e)]]
        errors += check_mo(po_path, [e for e in entries if not problems[id(e)]])
        msgids[po_path] = {e.key for e in entries}
    every = set().union(*msgids.values())
    for po_path, ids in msgids.items():
        errors += [f"{po_path}: msgid {m!r} is missing (re-run makemessages)" for m in sorted(every - ids)]
    if errors:
        print("\n".join(errors), file=sys.stderr)
        print(
            f"translations: {len(errors)} problem(s). Fix the .po files, then "
            "`cd civiclab && ../.venv/bin/django-admin compilemessages`.",
            file=sys.stderr,
        )
        return 1
    print(f"translations: {len(po_paths)} locales, {len(every)} strings each, all translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
