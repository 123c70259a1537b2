"""Two-component PCA of the vote matrix, with missing votes and sparsity handled as Pol.is does.

Pol.is (and red-dwarf, which reproduces it with scikit-learn) fills each missing vote with its statement's
mean vote, centres every column, and takes the top principal components. After centring, an imputed cell is
exactly zero, so the centred matrix has the same sparsity as the votes: PCA needs only products with that
sparse matrix, never the dense imputed one. We get the two leading eigenvectors of the Gram matrix
X^T X from a dense eigensolver when there are few statements or participants, and from Lanczos (ARPACK)
with a fixed start vector otherwise. Cost grows with the number of votes: each of the ~20 Lanczos steps is
two sparse products, plus O(statements) vectors.

Moderated-out and meta statements are zeroed for everyone, as in Pol.is: they add no variance but still
count as answered in the sparsity scaling (red-dwarf and Pol.is both scale on the zeroed matrix).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
from scipy.sparse.linalg import ArpackError, LinearOperator, eigsh  # type: ignore[import-untyped]

from .matrix import BoolArray, FloatArray, VoteMatrix

# When statements (or participants) are this few, a dense Gram matrix and a full LAPACK eigendecomposition
# cost next to nothing; beyond it the O(n^3) decomposition loses to a few dozen sparse products.
DENSE_GRAM_MAX = 48
_LANCZOS_TOL = 1e-10
_START_VECTOR_SEED = 20140618  # any fixed seed: it only makes Lanczos reproducible run to run


@dataclass(frozen=True)
class PCAResult:
    """`components` is (2, n_statements) over all matrix columns; `projections` is (n_participants, 2)."""

    mean: FloatArray
    components: FloatArray
    eigenvalues: FloatArray
    projections: FloatArray
    statement_projections: FloatArray
    n_votes_counted: FloatArray


def _column_means(matrix: VoteMatrix, active: BoolArray) -> FloatArray:
    n_cols = matrix.shape[1]
    sums = np.bincount(matrix.indices, weights=matrix.values.astype(np.float64), minlength=n_cols)
    counts = np.bincount(matrix.indices, minlength=n_cols).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / counts, 0.0)
    return np.where(active, means, 0.0)


def _flip_signs(components: FloatArray) -> FloatArray:
    """scikit-learn's svd_flip(u_based_decision=False): the largest loading of each component is positive.

    The sign is arbitrary in PCA, but the Pol.is k-means start (the leftmost points) depends on it, so we use
    the convention red-dwarf inherits from scikit-learn.
    """
    out = components.copy()
    for i, row in enumerate(out):
        if row.size and row[int(np.argmax(np.abs(row)))] < 0:
            out[i] = -row
    return out


def _top_two_dense(dense: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Leading eigenpairs of dense^T dense, through whichever Gram matrix is smaller."""
    n_rows, n_cols = dense.shape
    vals = np.zeros(2)
    vecs = np.zeros((2, n_cols))
    if n_cols <= n_rows:
        values, vectors = np.linalg.eigh(dense.T @ dense)
        order = np.argsort(values)[::-1][:2]
        vals[: len(order)] = values[order]
        vecs[: len(order)] = vectors[:, order].T
        return vals, vecs
    # Few participants, many statements: eigenvectors of X X^T mapped back through X^T.
    values, vectors = np.linalg.eigh(dense @ dense.T)
    order = np.argsort(values)[::-1][:2]
    for i, j in enumerate(order.tolist()):
        v = dense.T @ vectors[:, j]
        norm = float(np.linalg.norm(v))
        if norm > 1e-12:
            vals[i], vecs[i] = values[j], v / norm
    return vals, vecs


def _top_two_eigenvectors(matrix: VoteMatrix, centred: FloatArray) -> tuple[FloatArray, FloatArray]:
    n_cols = matrix.shape[1]
    if not centred.any():  # everyone voted alike: no variance, no direction
        return np.zeros(2), np.zeros((2, n_cols))
    x = matrix.csr(centred)
    if min(matrix.shape) <= DENSE_GRAM_MAX:
        return _top_two_dense(np.asarray(x.toarray(), dtype=np.float64))
    xt = x.T.tocsr()

    def gram_times(v: FloatArray) -> FloatArray:
        return cast(FloatArray, xt @ (x @ v))

    operator = LinearOperator((n_cols, n_cols), matvec=gram_times, matmat=gram_times, dtype=np.float64)
    start = np.random.default_rng(_START_VECTOR_SEED).uniform(-1.0, 1.0, n_cols)
    try:
        values, vectors = eigsh(operator, k=2, which="LA", v0=start, tol=_LANCZOS_TOL)
    except ArpackError:  # (includes no convergence) a degenerate spectrum; the dense route always works
        return _top_two_dense(np.asarray(x.toarray(), dtype=np.float64))
    order = np.argsort(values)[::-1]
    return np.asarray(values[order], dtype=np.float64), np.asarray(vectors[:, order].T, dtype=np.float64)


def polis_pca(matrix: VoteMatrix, active: BoolArray) -> PCAResult:
    """PCA on `matrix` where columns with active=False (moderated out, meta) are zeroed for everyone."""
    n_rows, n_cols = matrix.shape
    mean = _column_means(matrix, active)
    vote_active = active[matrix.indices]
    centred = np.where(vote_active, matrix.values - mean[matrix.indices], 0.0)
    eigenvalues, components = _top_two_eigenvectors(matrix, centred)
    components[:, ~active] = 0.0  # exactly zero in theory; the eigensolver leaves ~1e-17 of rounding
    components = _flip_signs(components)

    raw = matrix.csr(centred) @ components.T
    # Pol.is sparsity scaling: a participant who saw few statements is pulled towards the centre by the
    # imputation, so their coordinates are stretched by sqrt(statements / statements they answered).
    n_inactive = float(n_cols - int(active.sum()))
    answered = np.bincount(matrix.row_of_each_vote, weights=vote_active.astype(np.float64), minlength=n_rows)
    counted = np.asarray(answered + n_inactive, dtype=np.float64)
    scale = np.sqrt(n_cols / np.maximum(1.0, counted))
    projections = np.asarray(raw, dtype=np.float64) * scale[:, None]

    # Where a virtual participant who agreed with just this statement would land (the map's statement
    # markers): their only non-imputed cell is +1, and they answered one statement.
    statement_projections = ((1.0 - mean) * components).T * np.sqrt(float(n_cols))
    return PCAResult(
        mean=mean,
        components=components,
        eigenvalues=eigenvalues,
        projections=projections,
        statement_projections=np.asarray(statement_projections, dtype=np.float64),
        n_votes_counted=counted,
    )
