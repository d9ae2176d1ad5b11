"""TF-IDF retrieval of labelled examples (``ardea.evaluation.scorers.retrieval``): no model."""

from __future__ import annotations

from ardea.evaluation.scorers.retrieval import Retriever, tokens


def test_tokens_are_lower_case_words() -> None:
    assert tokens("Paris, FRANCE's capital!") == ["paris", "france", "s", "capital"]


def test_nearest_ranks_by_shared_rare_words() -> None:
    texts = [
        "the capital of France is Paris",
        "the capital of Spain is Madrid",
        "how to bake bread at home",
        "the the the the",
    ]
    found = Retriever(texts)
    assert found.nearest("What is the capital of Spain?", 2) == [1, 0]
    assert found.nearest("bread recipe", 1) == [2]
    # A query sharing nothing scores 0 everywhere: ties keep the examples' order.
    assert found.nearest("zzz", 3) == [0, 1, 2]
    assert found.nearest("Paris", 10) == [0, 1, 2, 3]


def test_empty_memory_and_zero_k() -> None:
    assert Retriever([]).nearest("anything", 3) == []
    assert Retriever(["a b"]).nearest("a", 0) == []
