"""Opinion groups: k-means on the 2-D map for k = 2..5, with k chosen by silhouette.

This mirrors red-dwarf's PolisKMeans, which is scikit-learn's Lloyd k-means started from the "polis"
initialisation (the k lexicographically smallest distinct points, so the result needs no random seed). We
run the same Lloyd iterations in numpy rather than calling scikit-learn: on 2-D points each step is a few
vector operations, and scikit-learn's per-call overhead (validation, thread pools) would dominate. A test
checks that labels and centres equal scikit-learn's.

The silhouette needs all pairwise distances, O(n^2). Up to SILHOUETTE_EXACT_MAX participants it is exact
(every real Pol.is conversation we have is below that). Above it, every k is scored on the same seeded
random sample of that size (scikit-learn's `silhouette_score(sample_size=...)` does the same), so choosing k
stays O(sample^2) however large the conversation grows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.spatial.distance import cdist  # type: ignore[import-untyped]

from .matrix import FloatArray, IntArray

SILHOUETTE_EXACT_MAX = 5000
_SILHOUETTE_SEED = 7
# Distance rows per block: small blocks make the most of symmetry (only blocks on or right of the diagonal
# are computed) while each block is still a reasonable BLAS product; measured best at 64-128.
_CHUNK_ROWS = 128


@dataclass(frozen=True)
class KMeansResult:
    labels: IntArray
    centers: FloatArray
    iterations: int


@dataclass(frozen=True)
class Clustering:
    k: int
    labels: IntArray
    centers: FloatArray
    silhouettes: dict[int, float] = field(default_factory=dict)


def first_distinct_points(points: FloatArray, k: int) -> FloatArray:
    """The "polis" start: the first k rows of np.unique(points, axis=0), i.e. smallest x, then y."""
    if k <= 0 or len(points) == 0:
        return np.zeros((0, points.shape[1] if points.ndim == 2 else 2))
    order = np.lexsort(points.T[::-1])
    ordered = points[order]
    new = np.ones(len(ordered), dtype=np.bool_)
    new[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    return np.asarray(ordered[new][:k], dtype=np.float64)


def _assign(columns: list[FloatArray], centers: FloatArray) -> IntArray:
    # Same expression as scikit-learn's Lloyd step (|c|^2 - 2 x.c; |x|^2 is constant per row). The dot
    # product is spelled out per coordinate: a BLAS call for an (n x 2)(2 x k) product buys nothing, and
    # its threads stall when the worker shares its cores (measured 10x slower on a busy 2-core machine).
    dots = np.multiply.outer(columns[0], centers[:, 0])
    for d in range(1, len(columns)):
        dots += np.multiply.outer(columns[d], centers[:, d])
    dots *= -2.0
    dots += (centers * centers).sum(axis=1)
    labels: IntArray = dots.argmin(axis=1)
    return labels


def kmeans(points: FloatArray, init: FloatArray, max_iter: int = 300, tol: float = 1e-4) -> KMeansResult:
    """Lloyd's algorithm as scikit-learn runs it (n_init=1, explicit start, relative tolerance)."""
    n, dims = points.shape
    k = len(init)
    offset = points.mean(axis=0)
    x = points - offset  # scikit-learn centres the data first for accurate distances
    columns = [np.ascontiguousarray(x[:, d]) for d in range(dims)]
    centers = np.asarray(init, dtype=np.float64) - offset
    tol_abs = float(np.mean(np.var(points, axis=0))) * tol
    labels_old = np.full(n, -1, dtype=np.intp)
    labels = labels_old
    strict = False
    iteration = 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 (reported as the iteration count)
        labels = _assign(columns, centers)
        weights = np.bincount(labels, minlength=k).astype(np.float64)
        sums = np.empty((k, dims))
        for d in range(dims):
            sums[:, d] = np.bincount(labels, weights=columns[d], minlength=k)
        if not weights.all():
            # scikit-learn's relocation: the points farthest from their centre seed the empty clusters.
            empty = np.flatnonzero(weights == 0)
            dist = ((x - centers[labels]) ** 2).sum(axis=1)
            far = np.argpartition(dist, -len(empty))[: -len(empty) - 1 : -1]
            for cluster, point in zip(empty, far, strict=False):
                old = labels[point]
                sums[old] -= x[point]
                sums[cluster] = x[point]
                weights[cluster] = 1.0
                weights[old] -= 1.0
        new_centers = sums / np.maximum(weights, 1.0)[:, None]
        shift = float(((new_centers - centers) ** 2).sum())
        centers = new_centers
        if (labels == labels_old).all():
            strict = True
            break
        if shift <= tol_abs:
            break
        labels_old = labels
    if not strict:
        labels = _assign(columns, centers)
    return KMeansResult(labels=labels.astype(np.int64), centers=centers + offset, iterations=iteration)


def _one_hot_blocks(labelings: list[IntArray]) -> tuple[NDArray[np.float64], list[tuple[int, int]]]:
    blocks = []
    spans = []
    start = 0
    for labels in labelings:
        width = int(labels.max()) + 1 if len(labels) else 0
        block = np.zeros((len(labels), width))
        block[np.arange(len(labels)), labels] = 1.0
        blocks.append(block)
        spans.append((start, start + width))
        start += width
    return np.hstack(blocks), spans


def silhouette_scores(points: FloatArray, labelings: list[IntArray]) -> list[float]:
    """Mean silhouette of each labelling of the same points (NaN where fewer than 2 or n groups).

    One pass over the pairwise distances serves every labelling: distance rows are multiplied by the stacked
    one-hot label matrices, giving every point's distance sum to every cluster. Distances are symmetric, so
    each block is computed once and used for both its rows and (transposed) its columns.
    """
    n = len(points)
    compact = [np.unique(labels, return_inverse=True)[1].reshape(-1).astype(np.int64) for labels in labelings]
    valid = [1 < (int(c.max()) + 1 if n else 0) < n for c in compact]
    if n == 0 or not any(valid):
        return [float("nan")] * len(labelings)
    one_hot, spans = _one_hot_blocks(compact)
    sums = np.zeros_like(one_hot)
    chunk = _CHUNK_ROWS
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        block = cdist(points[start:stop], points[start:])
        sums[start:stop] += block @ one_hot[start:]
        sums[stop:] += block[:, stop - start :].T @ one_hot[start:stop]
    sizes = one_hot.sum(axis=0)
    rows = np.arange(n)
    scores = []
    for i, (lo, hi) in enumerate(spans):
        if not valid[i]:
            scores.append(float("nan"))
            continue
        own = compact[i]
        counts = sizes[lo:hi]
        own_count = counts[own]
        with np.errstate(divide="ignore", invalid="ignore"):
            a = sums[rows, lo + own] / (own_count - 1)
            means = sums[:, lo:hi] / counts[None, :]
            means[rows, own] = np.inf
            b = means.min(axis=1)
            s = (b - a) / np.maximum(a, b)
        # A point alone in its cluster scores 0, as in scikit-learn.
        scores.append(float(np.where(own_count > 1, np.nan_to_num(s), 0.0).mean()))
    return scores


def silhouette_sample(n: int, limit: int = SILHOUETTE_EXACT_MAX) -> IntArray | None:
    """Indices of the fixed sample used for the silhouette above `limit` points, else None (exact)."""
    if n <= limit:
        return None
    rng = np.random.default_rng(_SILHOUETTE_SEED)
    return np.sort(rng.choice(n, size=limit, replace=False)).astype(np.int64)


def _initial_centers(points: FloatArray, k: int, guesses: FloatArray | None) -> FloatArray | None:
    """red-dwarf's PolisKMeans start: given guesses first (trimmed to k), padded with distinct points."""
    given = np.zeros((0, points.shape[1])) if guesses is None else np.asarray(guesses, dtype=np.float64)[:k]
    needed = k - len(given)
    if needed == 0:
        return given
    extra = first_distinct_points(points, needed)
    if len(extra) < needed:
        return None  # not enough distinct participants for this many groups
    return np.vstack([given, extra])


def cluster_participants(
    points: FloatArray,
    k_range: tuple[int, int] = (2, 5),
    init_centers: FloatArray | None = None,
    silhouette_limit: int = SILHOUETTE_EXACT_MAX,
) -> Clustering:
    """Fits k-means for each k in the inclusive range and keeps the first k with the best silhouette.

    With a single k in the range (a forced group count) the silhouette is still reported.
    With fewer than two distinct points there is nothing to split: everyone is in group 0.
    """
    n = len(points)
    fits: dict[int, KMeansResult] = {}
    for k in range(k_range[0], k_range[1] + 1):
        init = _initial_centers(points, k, init_centers)
        if init is not None and k <= n:
            fits[k] = kmeans(points, init)
    if not fits:
        centers = points.mean(axis=0, keepdims=True) if n else np.zeros((0, points.shape[1]))
        return Clustering(k=1 if n else 0, labels=np.zeros(n, dtype=np.int64), centers=centers)
    sample = silhouette_sample(n, silhouette_limit)
    ks = sorted(fits)
    scored_points = points if sample is None else points[sample]
    labelings = [fits[k].labels if sample is None else fits[k].labels[sample] for k in ks]
    scores = dict(zip(ks, silhouette_scores(scored_points, labelings), strict=True))
    finite = [k for k in ks if np.isfinite(scores[k])]
    best = max(finite, key=lambda k: (scores[k], -k)) if finite else ks[0]
    return Clustering(k=best, labels=fits[best].labels, centers=fits[best].centers, silhouettes=scores)
