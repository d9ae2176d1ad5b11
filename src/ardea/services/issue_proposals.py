"""Propose issues from failing judge verdicts, and accept a proposal as an issue.

:func:`propose_issues` reads an experiment's failing LLM_JUDGE feedback over a time range
(:meth:`ardea.store.issues.IssueStore.failing_verdicts`), embeds the rationales (a provider's
embeddings through :mod:`ardea.llm` when ``embedding_model`` is given, else the offline TF-IDF
embedding of :mod:`ardea.services.issue_clusters`), clusters them, and names each cluster by
its most representative rationale, or by a model's summary when ``summary_model`` is given.

:func:`accept_proposal` creates the issue and links the proposal's traces to it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ardea._core.errors import InvalidArgumentError
from ardea.entities.issue import Issue, IssueExample, IssueProposal
from ardea.store.issues import LINK_MAX_TRACES, IssueStore, NewIssue

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DEFAULT_THRESHOLD",
    "OFFLINE_EMBEDDING",
    "ProposalRequest",
    "Proposals",
    "accept_proposal",
    "propose_issues",
]

DEFAULT_THRESHOLD = 0.85
"""Cosine distance at which the rationale tree is cut (see ``issue_clusters.cluster``)."""
OFFLINE_EMBEDDING = "tfidf-svd"
"""The name of the offline embedding, as :class:`Proposals` reports it."""
_EXAMPLES = 5
_SUMMARY_PROMPT = (
    "Here are rationales an LLM judge wrote when it failed some answers. Name the common "
    "failure in one short phrase (at most 12 words), with no other text.\n\n{items}"
)


@dataclass(slots=True)
class ProposalRequest:
    """What to cluster and how.

    Attributes:
        experiment_id: The experiment whose traces' verdicts are read.
        start_ms: Earliest trace start (epoch ms), or None.
        end_ms: Latest trace start (epoch ms), or None.
        judge: One judge (assessment name), or None for all.
        embedding_model: A model URI (``openai:/text-embedding-3-small``) for a provider's
            embeddings; None for the offline embedding.
        summary_model: A chat model URI to name each cluster; None names it by its most
            representative rationale.
        threshold: Cosine distance of the cut (0 < t <= 2).
        min_size: Smallest cluster proposed.
        max_proposals: Most proposals answered (largest first).
        max_failures: Most verdicts read (newest traces first; 1 to 100000).
    """

    experiment_id: str
    start_ms: int | None = None
    end_ms: int | None = None
    judge: str | None = None
    embedding_model: str | None = None
    summary_model: str | None = None
    threshold: float = DEFAULT_THRESHOLD
    min_size: int = 2
    max_proposals: int = 20
    max_failures: int = 10_000


@dataclass(slots=True)
class Proposals:
    """The answer of :func:`propose_issues`: proposals (largest first) and how they were made."""

    proposals: list[IssueProposal]
    failures: int
    embedding: str
    steps: list[str] = field(default_factory=list)


def _check(request: ProposalRequest) -> None:
    if not 0 < request.threshold <= 2:
        raise InvalidArgumentError("threshold must be a cosine distance in (0, 2]")
    if not 1 <= request.min_size <= 100_000:
        raise InvalidArgumentError("min_size must be between 1 and 100000")
    if not 1 <= request.max_proposals <= 200:
        raise InvalidArgumentError("max_proposals must be between 1 and 200")
    if not 1 <= request.max_failures <= 100_000:
        raise InvalidArgumentError("max_failures must be between 1 and 100000")
    if None not in (request.start_ms, request.end_ms) and request.start_ms > request.end_ms:  # type: ignore[operator]
        raise InvalidArgumentError("start_ms must not be after end_ms")


def _embed(texts: Sequence[str], model: str | None) -> np.ndarray:
    import numpy as np

    from ardea.services import issue_clusters  # numpy and scipy: loaded on first use

    if model is None:
        return issue_clusters.tfidf_embed(texts)
    from ardea.llm import get_client  # loads httpx on first use only

    vectors = np.asarray(get_client(model).embed(list(texts)).vectors, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(vectors / norms)


def _summary(model: str, rationales: Sequence[str]) -> str | None:
    from ardea.llm import get_client

    items = "\n".join(f"- {r[:500]}" for r in rationales)
    text = get_client(model).chat(_SUMMARY_PROMPT.format(items=items), temperature=0).text
    line = (text or "").strip().splitlines()[0].strip(" -*\"'") if (text or "").strip() else ""
    return line[:250] or None


def _proposal(
    found: Sequence[IssueExample], members: Sequence[int], cohesion: float
) -> IssueProposal:
    from ardea.services.issue_clusters import normalise

    verdicts = [found[m] for m in members]
    examples: list[IssueExample] = []
    seen: set[str] = set()
    for v in verdicts:  # nearest the centre first; distinct texts
        key = normalise(v.rationale)
        if key not in seen:
            seen.add(key)
            examples.append(v)
        if len(examples) == _EXAMPLES:
            break
    judges = Counter(v.judge for v in verdicts)
    return IssueProposal(
        name=verdicts[0].rationale.strip()[:250],
        size=len(verdicts),
        trace_ids=list(dict.fromkeys(v.trace_id for v in verdicts)),
        judges=dict(sorted(judges.items(), key=lambda kv: (-kv[1], kv[0]))),
        examples=examples,
        cohesion=round(cohesion, 4),
    )


def propose_issues(
    store: IssueStore,
    request: ProposalRequest,
    progress: Callable[[str], None] | None = None,
) -> Proposals:
    """Cluster an experiment's failing judge rationales into proposed issues.

    Args:
        store: The issue store of the experiment's workspace.
        request: What to cluster and how (see :class:`ProposalRequest`).
        progress: Told each step as it starts (``reading``, ``embedding``, ``clustering``,
            ``naming``).

    Raises:
        InvalidArgumentError: Bad bounds.
        NotFoundError: No such experiment.
        LLMError: The embedding or summary model failed.
    """
    _check(request)
    steps: list[str] = []

    def tell(step: str) -> None:
        steps.append(step)
        if progress is not None:
            progress(step)

    tell("reading")
    found = store.failing_verdicts(
        request.experiment_id,
        request.start_ms,
        request.end_ms,
        request.judge or None,
        request.max_failures,
    )
    embedding = request.embedding_model or OFFLINE_EMBEDDING
    if not found:
        return Proposals([], 0, embedding, steps)
    from ardea.services import issue_clusters

    tell("embedding")
    vectors = _embed([v.rationale for v in found], request.embedding_model)
    clusters = issue_clusters.cluster(vectors, request.threshold, tell)
    kept = [c for c in clusters if len(c.members) >= request.min_size][: request.max_proposals]
    proposals = [_proposal(found, c.members, c.cohesion) for c in kept]
    if request.summary_model and proposals:
        tell("naming")
        for p in proposals:
            p.name = _summary(request.summary_model, [e.rationale for e in p.examples]) or p.name
    return Proposals(proposals, len(found), embedding, steps)


def accept_proposal(
    store: IssueStore,
    experiment_id: str,
    name: str,
    trace_ids: Sequence[str],
    description: str = "",
    created_by: str | None = None,
    rationales: dict[str, str] | None = None,
) -> Issue:
    """Create an issue from a proposal and link its traces, in one transaction.

    Raises:
        InvalidArgumentError: No traces, too many, or traces of another experiment (nothing
            is stored then).
    """
    ids = list(dict.fromkeys(trace_ids))
    if not ids:
        raise InvalidArgumentError("A proposal needs at least one trace")
    if len(ids) > LINK_MAX_TRACES:
        raise InvalidArgumentError(f"At most {LINK_MAX_TRACES} traces can be linked at once")
    return store.create_issue(
        NewIssue(
            experiment_id,
            name,
            description,
            created_by=created_by,
            metadata={"ardea.issue.source": "clustering"},
            trace_ids=ids,
            link_source=("LLM_JUDGE", "ardea-issue-clustering"),
            rationales=dict(rationales or {}),
        )
    )
