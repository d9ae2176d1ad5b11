"""Group short texts (judges' rationales) by meaning: an offline embedding and a clustering.

- :func:`tfidf_embed`: TF-IDF over word 1-2-grams and character 3-5-grams (sublinear term
  frequency, L2 norm), reduced with a truncated SVD (a randomized range finder from a
  fixed seed) to at most 128 dimensions, rows L2-normalised. Nothing is downloaded; the same
  texts give the same vectors.
- :func:`cluster`: average-linkage hierarchical clustering on cosine distance, cut at a
  distance threshold (scipy). Above :data:`DIRECT_MAX` distinct vectors, a deterministic
  spherical k-means first reduces them to :data:`DIRECT_MAX` micro-clusters, whose centres are
  clustered instead, so 10k texts take seconds and bounded memory.

Pure: numpy and scipy only.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage

__all__ = ["DIRECT_MAX", "Cluster", "cluster", "normalise", "tfidf_embed"]

DIRECT_MAX = 1500
"""Most vectors clustered hierarchically as they are (more are micro-clustered first)."""
_DIMS = 128
_WORD = re.compile(r"[a-z0-9']+")


def normalise(text: str) -> str:
    """Lower case with runs of spaces made one (what the embedding sees)."""
    return " ".join(text.lower().split())


def _features(text: str) -> list[str]:
    words = _WORD.findall(text)
    out = [f"w:{w}" for w in words]
    out += [f"b:{a} {b}" for a, b in itertools.pairwise(words)]
    padded = f" {text} "
    for n in (3, 4, 5):
        out += [f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1)]
    return out


def _tfidf(texts: Sequence[str]) -> sp.csr_matrix:
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for row, text in enumerate(texts):
        for feature in _features(text):
            rows.append(row)
            cols.append(vocab.setdefault(feature, len(vocab)))
    ones = np.ones(len(rows), dtype=np.float64)
    counts = sp.csr_matrix((ones, (rows, cols)), shape=(len(texts), len(vocab)))
    counts.sum_duplicates()
    counts.data = 1.0 + np.log(counts.data)  # sublinear tf
    df = np.bincount(counts.indices, minlength=len(vocab))
    idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0
    weighted = counts.multiply(idf[np.newaxis, :]).tocsr()
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ weighted)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(matrix / norms)


def _orthonormal(basis: np.ndarray) -> np.ndarray:
    """An orthonormal basis of ``basis``'s columns (through its small Gram matrix)."""
    values, vectors = np.linalg.eigh(basis.T @ basis)
    keep = values > values.max() * 1e-10
    return np.asarray(basis @ (vectors[:, keep] / np.sqrt(values[keep])))


def _truncated_svd(matrix: sp.csr_matrix, k: int) -> np.ndarray:
    """``U * S`` of a rank-``k`` SVD: Halko's randomized range finder from a fixed seed.

    Only sparse-times-thin products and eigen-decompositions of small Gram matrices: no QR
    or SVD of a tall matrix.
    """
    rng = np.random.default_rng(0)
    width = min(k + 10, min(matrix.shape))
    transposed = matrix.T.tocsr()
    basis = np.asarray(matrix @ rng.standard_normal((matrix.shape[1], width)))
    for _ in range(2):  # power iterations sharpen the spectrum
        basis = basis / np.maximum(np.linalg.norm(basis, axis=0), 1e-12)
        basis = np.asarray(matrix @ np.asarray(transposed @ basis))
    q = _orthonormal(basis)
    small = np.asarray(transposed @ q).T  # (width, features)
    values, vectors = np.linalg.eigh(small @ small.T)
    order = np.argsort(-values)[:k]
    singular = np.sqrt(np.maximum(values[order], 0.0))
    return np.asarray((q @ vectors[:, order]) * singular)


def tfidf_embed(texts: Sequence[str]) -> np.ndarray:
    """One unit vector per text (see the module doc); ``(len(texts), d)`` float64.

    Texts equal once normalised (:func:`normalise`) are embedded once and share a vector.
    """
    if not texts:
        return np.zeros((0, 1))
    index: dict[str, int] = {}
    rows = np.array([index.setdefault(normalise(t), len(index)) for t in texts])
    matrix = _tfidf(list(index))
    k = min(_DIMS, min(matrix.shape))
    return np.asarray(_unit_rows(_truncated_svd(matrix, k))[rows])


@dataclass(slots=True)
class Cluster:
    """Members (indices into the input) of one cluster, nearest its centre first.

    Attributes:
        members: Indices, by decreasing cosine similarity to the cluster's mean direction.
        cohesion: Mean cosine similarity of the members to that direction.
    """

    members: list[int]
    cohesion: float


def _kmeans(vectors: np.ndarray, k: int, rounds: int = 12) -> np.ndarray:
    """Spherical k-means from evenly spaced seeds: each vector's centre index (deterministic)."""
    seeds = np.linspace(0, len(vectors) - 1, k).astype(int)
    centres = vectors[seeds].copy()
    labels = np.zeros(len(vectors), dtype=int)
    for _ in range(rounds):
        labels = np.argmax(vectors @ centres.T, axis=1)
        sums = np.zeros_like(centres)
        np.add.at(sums, labels, vectors)
        empty = np.linalg.norm(sums, axis=1) == 0
        sums[empty] = centres[empty]
        centres = _unit_rows(sums)
    return np.asarray(labels)


def _labels(vectors: np.ndarray, threshold: float) -> np.ndarray:
    if len(vectors) == 1:
        return np.ones(1, dtype=int)
    tree = linkage(vectors, method="average", metric="cosine")
    return np.asarray(fcluster(tree, t=threshold, criterion="distance"))


def cluster(
    vectors: np.ndarray,
    threshold: float = 0.85,
    progress: Callable[[str], None] | None = None,
) -> list[Cluster]:
    """Cluster unit vectors (cosine); largest first, ties by first member index.

    Args:
        vectors: ``(n, d)`` unit rows (identical rows are clustered once).
        threshold: Cosine distance at which the average-linkage tree is cut (0-2; smaller
            makes more, tighter clusters).
        progress: Told each step's name.
    """
    tell = progress or (lambda _: None)
    if len(vectors) == 0:
        return []
    distinct, inverse = np.unique(np.round(vectors, 6), axis=0, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    distinct = _unit_rows(distinct)
    if len(distinct) > DIRECT_MAX:
        tell("micro-clustering")
        micro = _kmeans(distinct, DIRECT_MAX)
        sums = np.zeros((DIRECT_MAX, distinct.shape[1]))
        np.add.at(sums, micro, distinct)
        used = np.unique(micro)
        remap = np.full(DIRECT_MAX, -1)
        remap[used] = np.arange(len(used))
        tell("clustering")
        top = _labels(_unit_rows(sums[used]), threshold)
        distinct_labels = top[remap[micro]]
    else:
        tell("clustering")
        distinct_labels = _labels(distinct, threshold)
    labels = distinct_labels[inverse]
    out: list[Cluster] = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        centre = _unit_rows(vectors[members].sum(axis=0, keepdims=True))[0]
        similarity = vectors[members] @ centre
        order = np.argsort(-similarity, kind="stable")
        out.append(Cluster([int(m) for m in members[order]], float(similarity.mean())))
    out.sort(key=lambda c: (-len(c.members), min(c.members)))
    return out
