"""The issue contract: MLflow's issues of an experiment, and the traces each one links.

Backend: ``store.sql.issues.store.SqlIssueStore`` (on the tracking database; trace links are
written through the backend's trace store as assessments of kind ``issue``, as MLflow does).

Conventions (as the other stores): a call naming an issue or experiment that does not exist
(or is in another workspace) raises :class:`ardea.NotFoundError`; bad input raises
:class:`ardea.InvalidArgumentError` and stores nothing; a taken ``issue_id`` raises
:class:`ardea.AlreadyExistsError`; times are epoch milliseconds.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ardea._core.errors import NotImplementedFeatureError
from ardea.entities.issue import Issue, IssueExample
from ardea.entities.page import PagedList

__all__ = [
    "LINK_MAX_TRACES",
    "SEARCH_MAX_RESULTS",
    "IssueChanges",
    "IssuePage",
    "IssueQuery",
    "IssueStore",
    "NewIssue",
    "UnsupportedIssueStore",
]

SEARCH_MAX_RESULTS = 1000
"""Largest page of :meth:`IssueStore.search_issues`."""
LINK_MAX_TRACES = 5000
"""Most traces one :meth:`IssueStore.link_traces` call links."""


@dataclass(slots=True)
class NewIssue:
    """What :meth:`IssueStore.create_issue` stores (MLflow's ``CreateIssue`` fields).

    Ardea's additions: ``trace_ids`` are linked in the same transaction (with ``link_source``
    and per-trace ``rationales``, as :meth:`IssueStore.link_traces` does).
    """

    experiment_id: str
    name: str
    description: str
    status: str = "pending"
    severity: str | None = None
    root_causes: list[str] = field(default_factory=list)
    source_run_id: str | None = None
    categories: list[str] = field(default_factory=list)
    created_by: str | None = None
    issue_id: str | None = None
    last_seen_timestamp: int | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    trace_ids: list[str] = field(default_factory=list)
    link_source: tuple[str, str] = ("HUMAN", "default")
    rationales: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class IssueChanges:
    """What :meth:`IssueStore.update_issue` changes; None leaves a field as it is.

    ``categories`` replaces the list (``[]`` clears it); ``metadata`` merges per key and
    ``delete_metadata_keys`` removes keys; ``last_seen_timestamp`` never moves backwards.
    """

    name: str | None = None
    description: str | None = None
    status: str | None = None
    severity: str | None = None
    categories: list[str] | None = None
    last_seen_timestamp: int | None = None
    last_updated_by: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    delete_metadata_keys: list[str] = field(default_factory=list)


@dataclass(slots=True)
class IssueQuery:
    """A :meth:`IssueStore.search_issues` query (MLflow's ``SearchIssues`` fields).

    ``filter_string`` is MLflow's small grammar: ``status`` and ``source_run_id`` compared with
    ``=`` or ``!=`` to a quoted string, clauses joined by AND. Values within a list are ORed;
    different fields are ANDed. ``name`` is a case-insensitive
    literal substring. ``order_by`` items are ``"<field> [ASC|DESC]"`` over ``name``,
    ``status``, ``severity``, ``created_timestamp``, ``last_updated_timestamp`` and
    ``last_seen_timestamp``; the default is newest first. The issue id breaks ties.
    """

    experiment_id: str | None = None
    filter_string: str | None = None
    max_results: int = 100
    page_token: str | None = None
    include_trace_count: bool = False
    name: str | None = None
    statuses: list[str] = field(default_factory=list)
    severities: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    order_by: list[str] = field(default_factory=list)
    include_total_count: bool = False
    basic: bool = False


class IssuePage(PagedList[Issue]):
    """A page of issues; ``total_count`` is set when the query asked for it."""

    def __init__(
        self, items: list[Issue], token: str | None = None, total_count: int | None = None
    ) -> None:
        super().__init__(items, token)
        self.total_count = total_count


class IssueStore(ABC):
    """Issues of experiments and their trace links."""

    @abstractmethod
    def create_issue(self, new: NewIssue) -> Issue:
        """Create an issue on its experiment (a new ``iss-<hex>`` id unless one is given)."""

    @abstractmethod
    def get_issue(self, issue_id: str) -> Issue:
        """One issue (with its ``trace_count``)."""

    def experiment_of_issue(self, issue_id: str) -> str:
        """The experiment an issue belongs to (for permission checks)."""
        return self.get_issue(issue_id).experiment_id

    @abstractmethod
    def update_issue(self, issue_id: str, changes: IssueChanges) -> Issue:
        """Change an issue's fields (see :class:`IssueChanges`)."""

    @abstractmethod
    def search_issues(self, query: IssueQuery) -> IssuePage:
        """A page of issues matching ``query``."""

    @abstractmethod
    def link_traces(
        self,
        issue_id: str,
        trace_ids: Sequence[str],
        source: tuple[str, str] = ("HUMAN", "default"),
        rationales: Mapping[str, str] | None = None,
    ) -> int:
        """Link traces of the issue's experiment to it; answer how many were newly linked.

        Args:
            issue_id: The issue.
            trace_ids: Traces of the issue's experiment (at most :data:`LINK_MAX_TRACES`);
                an already linked one is left as it is.
            source: The links' assessment source (type, id).
            rationales: Per trace, why it shows the issue.

        Raises:
            InvalidArgumentError: A trace that is not in the issue's experiment.
        """

    @abstractmethod
    def linked_trace_ids(self, issue_id: str, max_results: int = 1000) -> list[str]:
        """The traces linked to an issue, newest link first."""

    @abstractmethod
    def failing_verdicts(
        self,
        experiment_id: str,
        start_ms: int | None = None,
        end_ms: int | None = None,
        judge: str | None = None,
        limit: int = 10_000,
    ) -> list[IssueExample]:
        """Valid LLM_JUDGE feedback that said no, with a rationale, newest traces first.

        "No" is ``false`` or the strings no, fail, failed, false, n (any case). Times bound
        the traces' start (epoch ms, inclusive); ``judge`` keeps one assessment name.
        """

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (the backend closes the shared database)."""


class UnsupportedIssueStore(IssueStore):
    """The issue store of a backend that has none: every call refuses."""

    def _refuse(self) -> NotImplementedFeatureError:
        return NotImplementedFeatureError("This backend does not store issues")

    def create_issue(self, new: NewIssue) -> Issue:
        """Refuse."""
        raise self._refuse()

    def get_issue(self, issue_id: str) -> Issue:
        """Refuse."""
        raise self._refuse()

    def update_issue(self, issue_id: str, changes: IssueChanges) -> Issue:
        """Refuse."""
        raise self._refuse()

    def search_issues(self, query: IssueQuery) -> IssuePage:
        """Refuse."""
        raise self._refuse()

    def link_traces(
        self,
        issue_id: str,
        trace_ids: Sequence[str],
        source: tuple[str, str] = ("HUMAN", "default"),
        rationales: Mapping[str, str] | None = None,
    ) -> int:
        """Refuse."""
        raise self._refuse()

    def linked_trace_ids(self, issue_id: str, max_results: int = 1000) -> list[str]:
        """Refuse."""
        raise self._refuse()

    def failing_verdicts(
        self,
        experiment_id: str,
        start_ms: int | None = None,
        end_ms: int | None = None,
        judge: str | None = None,
        limit: int = 10_000,
    ) -> list[IssueExample]:
        """Refuse."""
        raise self._refuse()
