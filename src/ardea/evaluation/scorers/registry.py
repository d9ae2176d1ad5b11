"""The list of built-in scorers (:func:`get_all_scorers`)."""

from __future__ import annotations

from ardea.evaluation.scorers._builtin_classes import BUILTINS
from ardea.evaluation.scorers.base import Scorer

__all__ = ["builtin_scorer_classes", "get_all_scorers"]


def builtin_scorer_classes() -> list[type[Scorer]]:
    """Every built-in scorer class, by name."""
    import ardea.evaluation.scorers.builtins  # noqa: F401 - registers them

    return [BUILTINS[name] for name in sorted(BUILTINS)]


def get_all_scorers() -> list[Scorer]:
    """An instance of every built-in that needs no constructor argument (as MLflow's).

    Built-ins that need one (``Guidelines(guidelines=...)``, ``RegexMatch(pattern=...)``,
    ``JsonSchema``'s schema may come from expectations) are in
    :func:`builtin_scorer_classes`.
    """
    out = []
    for cls in builtin_scorer_classes():
        try:
            out.append(cls())
        except Exception:
            continue
    return out
