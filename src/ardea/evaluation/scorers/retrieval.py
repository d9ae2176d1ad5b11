"""Find the labelled examples most similar to a row: embeddings when a model is given, else TF-IDF.

- Lexical (default): lower-cased word tokens, TF-IDF with smoothed IDF
  (``log((1 + N) / (1 + df)) + 1``) and L2-normalized vectors, in numpy; cosine similarity.
  Nothing is downloaded and no model runs.
- Embeddings: ``ardea.llm``'s ``embed`` on the model given (``openai:/text-embedding-3-small``,
  ...); the examples are embedded once, on first use, then each query once.

Ties keep the examples' order; at most ``k`` examples are returned, best first.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Sequence
from typing import Any

__all__ = ["Retriever", "tokens"]

_WORD = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """The lower-cased word tokens of ``text``."""
    return _WORD.findall(text.lower())


class Retriever:
    """Nearest examples to a query text (see the module).

    Args:
        texts: The examples' texts.
        embedding_model: A model URI for embeddings, or None for TF-IDF.
    """

    def __init__(self, texts: Sequence[str], embedding_model: str | None = None) -> None:
        self.texts = list(texts)
        self.embedding_model = embedding_model
        self._lock = threading.Lock()
        self._matrix: Any = None
        self._vocab: dict[str, int] = {}
        self._idf: Any = None

    def _embed(self, texts: Sequence[str]) -> Any:
        import numpy as np

        from ardea.llm import get_client

        assert self.embedding_model is not None
        vectors = np.asarray(get_client(self.embedding_model).embed(list(texts)).vectors, float)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)

    def _tfidf(self, texts: Sequence[str]) -> Any:
        import numpy as np

        matrix = np.zeros((len(texts), len(self._vocab)))
        for i, text in enumerate(texts):
            for tok in tokens(text):
                j = self._vocab.get(tok)
                if j is not None:
                    matrix[i, j] += 1.0
        matrix *= self._idf
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms > 0, norms, 1.0)

    def _index(self) -> Any:
        import numpy as np

        with self._lock:
            if self._matrix is not None:
                return self._matrix
            if self.embedding_model:
                self._matrix = self._embed(self.texts)
                return self._matrix
            docs = [set(tokens(t)) for t in self.texts]
            vocab = sorted(set().union(*docs)) if docs else []
            self._vocab = {tok: j for j, tok in enumerate(vocab)}
            df = np.array([sum(1 for d in docs if tok in d) for tok in vocab], dtype=float)
            n = len(self.texts)
            self._idf = np.log((1.0 + n) / (1.0 + df)) + 1.0 if vocab else np.zeros(0)
            self._matrix = self._tfidf(self.texts)
            return self._matrix

    def nearest(self, query: str, k: int) -> list[int]:
        """Indexes of the ``k`` examples most similar to ``query``, best first."""
        import numpy as np

        if not self.texts or k <= 0:
            return []
        matrix = self._index()
        vector = self._embed([query])[0] if self.embedding_model else self._tfidf([query])[0]
        scores = matrix @ vector
        order = np.argsort(-scores, kind="stable")
        return [int(i) for i in order[: min(k, len(self.texts))] if not math.isnan(scores[i])]
