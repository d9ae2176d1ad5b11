"""Issues (part of :class:`~ardea.client.ArdeaClient`).

MLflow's issues of an experiment, and proposals of issues from its failing judge verdicts.

An issue is a failure mode with a status (``pending``, ``resolved``, ``rejected``) and the
traces it was seen on. :meth:`IssuesMixin.propose_issues` groups the rationales of judges that
said no (an offline embedding, or a provider's through ``embedding_model``) so a person sees
the top failure modes, and :meth:`IssuesMixin.accept_issue_proposal` makes one an issue.

Example::

    client = ArdeaClient("http://localhost:5000")
    found = client.propose_issues(experiment_id, judge="correctness")
    top = found.proposals[0]
    issue = client.accept_issue_proposal(experiment_id, top.name, top.trace_ids)
    client.update_issue(issue.issue_id, status="resolved")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ardea.client._base import ClientBase

if TYPE_CHECKING:
    from ardea.entities.issue import Issue
    from ardea.services.issue_proposals import Proposals
    from ardea.store.issues import IssuePage, IssueStore

__all__ = ["IssuesMixin"]


class IssuesMixin(ClientBase):
    """Issues, their trace links, and proposals from failing judge verdicts."""

    @property
    def issue_store(self) -> IssueStore:
        """The issue store of the backend."""
        return self.backend.issues

    def create_issue(
        self,
        experiment_id: str,
        name: str,
        description: str,
        *,
        severity: str | None = None,
        categories: Sequence[str] = (),
        trace_ids: Sequence[str] = (),
    ) -> Issue:
        """Create an issue (``pending``), linking ``trace_ids`` of the experiment to it."""
        from ardea.store.issues import NewIssue

        new = NewIssue(
            experiment_id,
            name,
            description,
            severity=severity,
            categories=list(categories),
            trace_ids=list(trace_ids),
        )
        return self.issue_store.create_issue(new)

    def get_issue(self, issue_id: str) -> Issue:
        """One issue, with its trace count."""
        return self.issue_store.get_issue(issue_id)

    def update_issue(self, issue_id: str, **changes: Any) -> Issue:
        """Change fields of an issue.

        Fields: ``name``, ``description``, ``status``, ``severity``, ``categories``,
        ``metadata`` (merged), ``delete_metadata_keys``.
        """
        from ardea.store.issues import IssueChanges

        return self.issue_store.update_issue(issue_id, IssueChanges(**changes))

    def search_issues(
        self,
        experiment_id: str,
        statuses: Sequence[str] = (),
        max_results: int = 100,
        page_token: str | None = None,
    ) -> IssuePage:
        """A page of an experiment's issues (newest first), with their trace counts."""
        from ardea.store.issues import IssueQuery

        query = IssueQuery(
            experiment_id=experiment_id,
            statuses=list(statuses),
            max_results=max_results,
            page_token=page_token,
            include_trace_count=True,
        )
        return self.issue_store.search_issues(query)

    def link_issue_traces(self, issue_id: str, trace_ids: Sequence[str]) -> int:
        """Link traces of the issue's experiment; how many were newly linked."""
        return self.issue_store.link_traces(issue_id, list(trace_ids))

    def issue_trace_ids(self, issue_id: str) -> list[str]:
        """The traces linked to an issue, newest link first."""
        return self.issue_store.linked_trace_ids(issue_id)

    def propose_issues(
        self,
        experiment_id: str,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
        judge: str | None = None,
        embedding_model: str | None = None,
        summary_model: str | None = None,
        threshold: float | None = None,
        min_size: int = 2,
        max_proposals: int = 20,
        progress: Callable[[str], None] | None = None,
    ) -> Proposals:
        """Group the experiment's failing judge verdicts into proposed issues, largest first.

        Args:
            experiment_id: The experiment.
            start_ms: Earliest trace start (epoch ms); None: no bound.
            end_ms: Latest trace start (epoch ms); None: no bound.
            judge: One judge (assessment name); None: every LLM judge.
            embedding_model: A model URI for a provider's embeddings (through ``ardea.llm``);
                None: the offline TF-IDF embedding.
            summary_model: A chat model URI that names each cluster; None: the most
                representative rationale names it.
            threshold: Cosine distance of the cut (default 0.85; smaller: more, tighter groups).
            min_size: Smallest group proposed.
            max_proposals: Most proposals answered.
            progress: Told each step as it starts (``reading``, ``embedding``,
                ``micro-clustering``, ``clustering``, ``naming``) on an embedded store; a
                server runs them in one request.
        """
        from ardea.api.issue_json import proposal_from_json
        from ardea.services.issue_proposals import (
            DEFAULT_THRESHOLD,
            ProposalRequest,
            Proposals,
            propose_issues,
        )
        from ardea.store.rest.issues import RestIssueStore

        request = ProposalRequest(
            experiment_id,
            start_ms,
            end_ms,
            judge,
            embedding_model,
            summary_model,
            DEFAULT_THRESHOLD if threshold is None else threshold,
            min_size,
            max_proposals,
        )
        store = self.issue_store
        if not isinstance(store, RestIssueStore):
            return propose_issues(store, request, progress)
        out = store.propose(
            {
                "experiment_id": experiment_id,
                "start_time_ms": start_ms,
                "end_time_ms": end_ms,
                "judge": judge,
                "embedding_model": embedding_model,
                "summary_model": summary_model,
                "threshold": request.threshold,
                "min_size": min_size,
                "max_proposals": max_proposals,
            }
        )
        proposals = [proposal_from_json(p) for p in out.get("proposals") or []]
        return Proposals(proposals, int(out.get("failures") or 0), str(out.get("embedding")))

    def accept_issue_proposal(
        self, experiment_id: str, name: str, trace_ids: Sequence[str], description: str = ""
    ) -> Issue:
        """Make a proposal an issue linked to its traces (in one transaction)."""
        from ardea.services.issue_proposals import accept_proposal
        from ardea.store.rest.issues import RestIssueStore

        store = self.issue_store
        if isinstance(store, RestIssueStore):
            body = {
                "experiment_id": experiment_id,
                "name": name,
                "trace_ids": list(trace_ids),
                "description": description or None,
            }
            return store.accept(body)
        text = description or f"Proposed from failing judge verdicts on {len(trace_ids)} traces."
        return accept_proposal(store, experiment_id, name, trace_ids, text)
