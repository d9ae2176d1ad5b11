"""The alert rules contract: rules on an experiment's traces, their state and events.

Backends: ``store.sql.alerts.store.SqlAlertStore`` (on the tracking database) and
``store.rest.alerts.RestAlertStore`` (a server's ``/api/3.0/ardea/alerts`` API).

Conventions (as the other stores): a call naming a rule or experiment that does not exist (or
is in another workspace) raises :class:`ardea.NotFoundError`; bad input raises
:class:`ardea.InvalidArgumentError` and stores nothing; a second rule of the same name on one
experiment raises :class:`ardea.AlreadyExistsError`; times are epoch milliseconds.

:meth:`AlertStore.evaluate` measures every enabled rule over its window and moves the rules
whose state changes, each with a compare-and-set on the rule's state and transition number,
so that several evaluators (server replicas) on one database record one event per change.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, NoReturn

from ardea.entities.alerts import AlertEvent, AlertRule, AlertTransition
from ardea.entities.page import PagedList

__all__ = ["EVENTS_MAX_RESULTS", "AlertStore", "UnsupportedAlertStore"]

EVENTS_MAX_RESULTS = 1000
"""Most events one page of :meth:`AlertStore.list_events` holds."""


class AlertStore(ABC):
    """Alert rules and their events (see the module docstring)."""

    @abstractmethod
    def create_rule(
        self, experiment_id: str, fields: Mapping[str, Any], created_by: str | None = None
    ) -> AlertRule:
        """A new rule on the experiment, in state OK (see ``check_rule_fields`` for fields)."""

    @abstractmethod
    def get_rule(self, rule_id: str) -> AlertRule:
        """One rule."""

    @abstractmethod
    def list_rules(self, experiment_id: str | None = None) -> list[AlertRule]:
        """The rules of one experiment, or of every live experiment in the workspace."""

    @abstractmethod
    def update_rule(self, rule_id: str, changes: Mapping[str, Any]) -> AlertRule:
        """Change the named settings; the state is kept (re-evaluated on the next pass)."""

    @abstractmethod
    def delete_rule(self, rule_id: str) -> None:
        """Delete a rule and its events."""

    @abstractmethod
    def experiment_of_rule(self, rule_id: str) -> str:
        """The experiment of a rule (for access checks)."""

    @abstractmethod
    def list_events(
        self,
        experiment_id: str | None = None,
        rule_id: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> PagedList[AlertEvent]:
        """Events, newest first, of one rule, one experiment, or the whole workspace."""

    @abstractmethod
    def evaluate(
        self, now_ms: int | None = None, *, all_workspaces: bool = False
    ) -> list[AlertTransition]:
        """Measure every enabled rule at ``now_ms`` (default: now); the changes it recorded.

        Args:
            now_ms: The evaluation time; windows end there.
            all_workspaces: Evaluate every workspace's rules (the server's evaluator), not
                only this store's.
        """


def _unsupported(*_args: Any, **_kwargs: Any) -> NoReturn:
    from ardea._core.errors import NotImplementedFeatureError

    raise NotImplementedFeatureError("This backend has no alert rules.")


class UnsupportedAlertStore(AlertStore):
    """A backend without alert rules: every call raises NotImplementedFeatureError."""

    create_rule = get_rule = list_rules = update_rule = delete_rule = _unsupported
    experiment_of_rule = list_events = evaluate = _unsupported
