"""Registered scorers: save a scorer on an experiment and read it back (MLflow's registry).

::

    from ardea.scorers import Guidelines, get_scorer, list_scorers, delete_scorer

    Guidelines(name="polite", guidelines=["Be polite."]).register(experiment_id="1")
    polite = get_scorer("polite", experiment_id="1")   # the latest version
    list_scorers(experiment_id="1")                    # the latest version of each name
    delete_scorer("polite", experiment_id="1")         # every version

The scorer is stored as its ``serialized_scorer`` JSON (:meth:`Scorer.to_json`), on the
tracking URI the fluent API uses (or ``tracking_uri``): the same registry
``mlflow.genai.scorers`` sees on an Ardea server. Built-ins and ``make_judge`` judges come
back as working scorers; custom ``@scorer`` code is never executed from the registry and
comes back as a :class:`RegisteredCodeScorer` stub that shows its source and refuses to run.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities.scorer import ScorerVersion
from ardea.evaluation.scorers import base
from ardea.evaluation.scorers.base import Scorer

if TYPE_CHECKING:
    from ardea.client import ArdeaClient

__all__ = [
    "RegisteredCodeScorer",
    "delete_scorer",
    "get_scorer",
    "list_scorer_versions",
    "list_scorers",
    "register_scorer",
]


def _client(tracking_uri: str | None) -> ArdeaClient:
    if tracking_uri is not None:
        from ardea.client import ArdeaClient

        return ArdeaClient(tracking_uri)
    from ardea.fluent._state import get_client

    return get_client()


def _experiment(experiment_id: str | None) -> str:
    if experiment_id is not None:
        return str(experiment_id)
    from ardea.fluent._runs import current_experiment_id

    return current_experiment_id()


class RegisteredCodeScorer(Scorer):
    """A registered custom ``@scorer``: its source, for reading; calling it raises.

    Ardea never executes code read from the registry. Import the function and decorate it
    with ``@scorer`` to run it.

    Attributes:
        source: The function's source as registered (may be empty).
        version: The registered version.
    """

    source: str = ""
    version: int = 0

    def __call__(self, **kwargs: Any) -> Any:
        """Refuse: registered code is not executed."""
        raise InvalidArgumentError(
            f"Scorer {self.name!r} is custom @scorer code from the registry; Ardea does not "
            "execute code read from it. Import the function and decorate it instead."
        )


def _scorer(found: ScorerVersion) -> Scorer:
    data = json.loads(found.serialized_scorer)
    if isinstance(data, dict) and data.get("call_source") is not None:
        name = str(data.get("name") or found.name)
        signature = str(data.get("call_signature") or "(...)")
        func = str(data.get("original_func_name") or name)
        body = str(data.get("call_source") or "")
        source = f"@scorer\ndef {func}{signature}:\n" + "\n".join(
            "    " + line for line in body.splitlines()
        )
        return RegisteredCodeScorer(name=found.name, source=source, version=found.version)
    made = Scorer.from_json(data if isinstance(data, dict) else found.serialized_scorer)
    made.name = found.name
    return made


def register_scorer(
    scorer: Scorer,
    *,
    name: str | None = None,
    experiment_id: str | None = None,
    tracking_uri: str | None = None,
) -> ScorerVersion:
    """Store ``scorer`` under ``name`` (default: its own) as the name's next version.

    Raises:
        InvalidArgumentError: The serialized scorer is too large (1 MiB) or the name is bad.
        NotFoundError: No such experiment.
    """
    data = scorer.to_dict()
    if name:
        data["name"] = name
    store = _client(tracking_uri).backend.scorers
    return store.register_scorer(_experiment(experiment_id), str(data["name"]), json.dumps(data))


def list_scorers(
    *, experiment_id: str | None = None, tracking_uri: str | None = None
) -> list[Scorer]:
    """The latest version of each scorer registered on the experiment, by name."""
    store = _client(tracking_uri).backend.scorers
    return [_scorer(s) for s in store.list_scorers(_experiment(experiment_id))]


def list_scorer_versions(
    name: str, *, experiment_id: str | None = None, tracking_uri: str | None = None
) -> list[ScorerVersion]:
    """Every registered version of ``name``, oldest first (as stored)."""
    store = _client(tracking_uri).backend.scorers
    return store.list_scorer_versions(_experiment(experiment_id), name)


def get_scorer(
    name: str,
    version: int | None = None,
    *,
    experiment_id: str | None = None,
    tracking_uri: str | None = None,
) -> Scorer:
    """One registered version of ``name`` (the latest when ``version`` is None) as a scorer.

    Raises:
        NotFoundError: No such scorer or version.
    """
    store = _client(tracking_uri).backend.scorers
    return _scorer(store.get_scorer(_experiment(experiment_id), name, version))


def delete_scorer(
    name: str,
    version: int | None = None,
    *,
    experiment_id: str | None = None,
    tracking_uri: str | None = None,
) -> None:
    """Delete one version of ``name``, or every version (and its online config) when None."""
    store = _client(tracking_uri).backend.scorers
    store.delete_scorer(_experiment(experiment_id), name, version)


base.CODEC["register"] = register_scorer
