"""Small-cell suppression for published counts: no group smaller than `K` people is ever shown.

Pure and typed (no Django), so that surveys, meetings and later the inclusion statistics share one rule.

Primary suppression hides every count below `k` (zero included: "nobody in this group" is itself a
disclosure about a small group). When the counts of a group are a partition of a published total (each
person in exactly one cell), a single hidden cell could be recovered by subtracting the others from the
total, so the next smallest cell is hidden too (complementary suppression)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

K = 10

Key = TypeVar("Key", bound=Hashable)


def safe_count(count: int, k: int = K) -> int | None:
    """The count when it may be shown, None when it is too small."""
    if k < 1:
        raise ValueError("k must be at least 1")
    return count if count >= k else None


def suppress(
    counts: Mapping[Key, int], *, k: int = K, partition_of: int | None = None
) -> dict[Key, int | None]:
    """Every count of `counts`, or None where it must not be shown.

    `partition_of`: the published total that the counts add up to (single-choice answers, demographic
    groups). Then no hidden count can be worked out from the shown ones and the total. Without it (multiple
    choice, where one person counts in several cells) only primary suppression applies."""
    if k < 1:
        raise ValueError("k must be at least 1")
    if any(c < 0 for c in counts.values()):
        raise ValueError("counts cannot be negative")
    if partition_of is not None and sum(counts.values()) != partition_of:
        raise ValueError("a partition's counts must add up to its total")
    shown: dict[Key, int | None] = {key: safe_count(c, k) for key, c in counts.items()}
    if partition_of is None or safe_count(partition_of, k) is None:
        if partition_of is not None:  # an unpublished total hides the whole group
            return dict.fromkeys(counts, None)
        return shown
    hidden = [key for key, value in shown.items() if value is None]
    if len(hidden) == 1:
        visible = sorted((c, i) for i, (key, c) in enumerate(counts.items()) if shown[key] is not None)
        if visible:
            keys = list(counts)
            shown[keys[visible[0][1]]] = None
    return shown


def suppressed_total(counts: Mapping[Key, int | None]) -> int:
    """How many cells are hidden: pages say "some groups are too small to show"."""
    return sum(1 for value in counts.values() if value is None)
