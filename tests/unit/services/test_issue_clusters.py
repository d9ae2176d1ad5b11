"""The offline rationale embedding and clustering: three known failure modes are recovered
(purity), the result is deterministic, and 10k rationales take the micro-clustering path."""

from __future__ import annotations

import numpy as np
import pytest

from ardea.services import issue_clusters
from ardea.services.issue_proposals import DEFAULT_THRESHOLD
from fixtures.issue_rationales import MODES, rationales


def _purity(clusters: list[issue_clusters.Cluster], truth: list[str]) -> float:
    hits = sum(max(sum(truth[m] == mode for m in c.members) for mode in MODES) for c in clusters)
    return hits / len(truth)


def test_three_modes_recovered() -> None:
    pairs = rationales(600)
    truth = [mode for mode, _ in pairs]
    vectors = issue_clusters.tfidf_embed([text for _, text in pairs])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    clusters = issue_clusters.cluster(vectors, DEFAULT_THRESHOLD)
    assert len(clusters) == 3
    assert _purity(clusters, truth) == 1.0
    assert sorted(truth[c.members[0]] for c in clusters) == sorted(MODES)


def test_deterministic() -> None:
    texts = [text for _, text in rationales(200, seed=3)]
    one = issue_clusters.cluster(issue_clusters.tfidf_embed(texts))
    two = issue_clusters.cluster(issue_clusters.tfidf_embed(texts))
    assert [c.members for c in one] == [c.members for c in two]


def test_ten_thousand_through_micro_clusters() -> None:
    pairs = rationales(10_000, seed=11)
    texts = [f"{text} (ticket {i})" for i, (_, text) in enumerate(pairs)]  # all distinct
    steps: list[str] = []
    vectors = issue_clusters.tfidf_embed(texts)
    clusters = issue_clusters.cluster(vectors, DEFAULT_THRESHOLD, steps.append)
    assert steps == ["micro-clustering", "clustering"]
    big = [c for c in clusters if len(c.members) >= 100]
    assert len(big) == 3
    assert _purity(clusters, [mode for mode, _ in pairs]) > 0.98


def test_small_inputs() -> None:
    assert issue_clusters.cluster(issue_clusters.tfidf_embed([])) == []
    one = issue_clusters.cluster(issue_clusters.tfidf_embed(["only one"]))
    assert [c.members for c in one] == [[0]]
    same = issue_clusters.cluster(issue_clusters.tfidf_embed(["same text", "Same  text"]))
    assert [sorted(c.members) for c in same] == [[0, 1]]


@pytest.mark.parametrize("n", [24, 45, 100])
@pytest.mark.parametrize("seed", range(4))
def test_default_threshold_separates_the_modes_at_small_sizes(n: int, seed: int) -> None:
    pairs = rationales(n, seed=seed)
    truth = [mode for mode, _ in pairs]
    clusters = issue_clusters.cluster(issue_clusters.tfidf_embed([t for _, t in pairs]))
    assert len(clusters) == len(set(truth))
    assert _purity(clusters, truth) == 1.0
