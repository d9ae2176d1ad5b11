"""The SQL issue store: :class:`SqlIssueStore` on a tracking :class:`Database`.

Issues belong to an experiment, so the workspace reaches them through it: an issue is found
only when its experiment is in the store's :class:`WorkspaceScope` (NotFoundError otherwise).
Trace links are assessments of kind ``issue`` named by the issue id, value the issue's name,
inserted in the same transaction that checks the traces are the issue's experiment's.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from ardea._core.ids import now_ms
from ardea.entities.feedback import make_assessment
from ardea.entities.issue import (
    ISSUE_KIND,
    Issue,
    IssueExample,
    check_issue_id,
    check_issue_name,
)
from ardea.store.issues import (
    LINK_MAX_TRACES,
    SEARCH_MAX_RESULTS,
    IssueChanges,
    IssuePage,
    IssueQuery,
    IssueStore,
    NewIssue,
)
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql.issues import rows
from ardea.store.sql.issues.tables import issues
from ardea.store.sql.traces.assessments import prepare_assessment
from ardea.store.sql.traces.tables import assessments, traces

__all__ = ["SqlIssueStore"]

_I, _A = issues, assessments
_ORDER_FIELDS = frozenset(
    {
        "name",
        "status",
        "severity",
        "created_timestamp",
        "last_updated_timestamp",
        "last_seen_timestamp",
    }
)
_NO = ("false", '"false"', '"no"', '"fail"', '"failed"', '"n"')
"""JSON texts of a feedback that said no (compared lower-cased)."""
_SEVERITY_RANK = {"not_an_issue": 0, "low": 1, "medium": 2, "high": 3}


def _linked(issue_id: Any) -> sa.Select[Any]:
    """The distinct traces linked to an issue (a column or a value)."""
    return (
        sa.select(_A.c.trace_id)
        .where(_A.c.name == issue_id, _A.c.kind == ISSUE_KIND, _A.c.valid.is_(True))
        .distinct()
    )


def _trace_count(issue_id: Any) -> sa.ScalarSelect[Any]:
    return sa.select(sa.func.count()).select_from(_linked(issue_id).subquery()).scalar_subquery()


def _order(order_by: Sequence[str]) -> list[Any]:
    out: list[Any] = []
    for item in order_by:
        parts = item.split()
        if not parts or len(parts) > 2 or parts[0] not in _ORDER_FIELDS:
            raise InvalidArgumentError(
                f"Invalid order_by {item!r}: use one of {sorted(_ORDER_FIELDS)} [ASC|DESC]"
            )
        direction = parts[1].upper() if len(parts) == 2 else "ASC"
        if direction not in ("ASC", "DESC"):
            raise InvalidArgumentError(f"Invalid order_by direction in {item!r}")
        column: Any = _I.c[parts[0]]
        if parts[0] == "severity":
            column = sa.case(_SEVERITY_RANK, value=_I.c.severity, else_=-1)
        out.append(column.desc() if direction == "DESC" else column.asc())
    return out or [_I.c.created_timestamp.desc()]


def _trace_ids(trace_ids: Sequence[str]) -> list[str]:
    wanted = list(dict.fromkeys(str(t) for t in trace_ids))
    if len(wanted) > LINK_MAX_TRACES:
        raise InvalidArgumentError(f"At most {LINK_MAX_TRACES} traces can be linked at once")
    return wanted


def _link(
    conn: Connection,
    row: Any,
    wanted: Sequence[str],
    source: tuple[str, str],
    notes: Mapping[str, str],
) -> int:
    """Link ``wanted`` traces (all of ``row``'s experiment) to the issue ``row``."""
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        stmt = sa.select(traces.c.trace_id).where(
            traces.c.trace_id.in_(chunk), traces.c.experiment_id == row.experiment_id
        )
        found.update(conn.execute(stmt).scalars())
    missing = [t for t in wanted if t not in found]
    if missing:
        raise InvalidArgumentError(
            f"Trace '{missing[0]}' is not a trace of experiment {row.experiment_id}"
        )
    linked = set(conn.execute(_linked(row.issue_id)).scalars())
    prepared = [
        prepare_assessment(
            make_assessment(
                assessment_id="",
                trace_id=t,
                name=row.issue_id,
                kind=ISSUE_KIND,
                value=row.name,
                source_type=source[0],
                source_id=source[1],
                create_time=0,
                last_update_time=0,
                rationale=notes.get(t),
                error=None,
                metadata={},
                span_id=None,
                overrides=None,
                valid=True,
            )
        )[1]
        for t in wanted
        if t not in linked
    ]
    if prepared:
        conn.execute(_A.insert(), prepared)
        now = now_ms()
        if now > int(row.last_seen_timestamp):  # seen again: never moves backwards
            seen = _I.update().where(_I.c.issue_id == row.issue_id)
            conn.execute(seen.values(last_seen_timestamp=now))
    return len(prepared)


class SqlIssueStore(IssueStore):
    """Issues in a SQL database.

    Args:
        database: An open database at the current schema, shared with the backend's other
            SQL stores; the backend closes it.
        scope: The workspace the store sees and writes to (``default`` when omitted).
    """

    def __init__(self, database: Database, scope: WorkspaceScope = DEFAULT_SCOPE) -> None:
        self._db = database
        self._scope = scope

    def _row(self, conn: Connection, issue_id: str) -> Any:
        query = sa.select(_I).where(
            _I.c.issue_id == str(issue_id), self._scope.owns_experiment(_I.c.experiment_id)
        )
        row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"Issue with ID '{issue_id}' not found")
        return row

    def _issue(self, conn: Connection, issue_id: str) -> Issue:
        row = self._row(conn, issue_id)
        return rows.issue_of(row, int(conn.execute(sa.select(_trace_count(issue_id))).scalar_one()))

    def create_issue(self, new: NewIssue) -> Issue:
        """Create an issue on its experiment."""
        check_issue_name(new.name)
        if not isinstance(new.description, str):
            raise InvalidArgumentError("Issue description must be a string")
        issue_id = check_issue_id(new.issue_id) if new.issue_id else f"iss-{uuid.uuid4().hex}"
        number = rows.experiment_number(new.experiment_id)
        links = _trace_ids(new.trace_ids)
        values = {
            "issue_id": issue_id,
            "experiment_id": number,
            "name": new.name,
            "description": new.description,
            "status": rows.check_status(new.status or "pending"),
            "severity": rows.check_severity(new.severity),
            "root_causes": rows.dump(rows.check_list("root_causes", new.root_causes)),
            "source_run_id": new.source_run_id or None,
            "categories": rows.dump(rows.check_list("categories", new.categories)),
            "created_by": new.created_by or None,
            "last_updated_by": new.created_by or None,
            "last_seen_timestamp": rows.check_timestamp(new.last_seen_timestamp),
            "metadata": rows.dump(rows.check_metadata(new.metadata)),
        }
        if "\x00" in new.name + new.description:
            raise InvalidArgumentError("Issue name and description may not contain NUL")

        def op(conn: Connection) -> Issue:
            self._scope.experiment_row(conn, number)
            taken = conn.execute(sa.select(_I.c.issue_id).where(_I.c.issue_id == issue_id))
            if taken.first() is not None:
                raise AlreadyExistsError(f"Issue with ID '{issue_id}' already exists")
            now = now_ms()
            seen = values["last_seen_timestamp"]
            row = {
                **values,
                "created_timestamp": now,
                "last_updated_timestamp": now,
                "last_seen_timestamp": now if seen is None else seen,
            }
            conn.execute(_I.insert().values(**row))
            if links:
                made = self._row(conn, issue_id)
                _link(conn, made, links, new.link_source, dict(new.rationales))
            return self._issue(conn, issue_id)

        return self._db.write(op)

    def get_issue(self, issue_id: str) -> Issue:
        """One issue with its trace count."""
        return self._db.read(lambda conn: self._issue(conn, issue_id))

    def update_issue(self, issue_id: str, changes: IssueChanges) -> Issue:
        """Change an issue's fields."""
        values: dict[str, Any] = {}
        if changes.name is not None:
            values["name"] = check_issue_name(changes.name)
        if changes.description is not None:
            values["description"] = changes.description
        if changes.status is not None:
            values["status"] = rows.check_status(changes.status)
        if changes.severity is not None:
            values["severity"] = rows.check_severity(changes.severity)
        if changes.categories is not None:
            values["categories"] = rows.dump(rows.check_list("categories", changes.categories))
        seen = rows.check_timestamp(changes.last_seen_timestamp)
        merge = rows.check_metadata(changes.metadata)
        drop = rows.check_list("delete_metadata_keys", changes.delete_metadata_keys)
        if set(merge) & set(drop):
            raise InvalidArgumentError("Cannot update and delete the same key")
        if "\x00" in (values.get("name") or "") + (values.get("description") or ""):
            raise InvalidArgumentError("Issue name and description may not contain NUL")

        def op(conn: Connection) -> Issue:
            row = self._row(conn, issue_id)
            if merge or drop:
                meta = rows.issue_of(row).metadata
                meta.update(merge)
                for key in drop:
                    meta.pop(key, None)
                values["metadata"] = rows.dump(rows.check_metadata(meta))
            if seen is not None:
                values["last_seen_timestamp"] = max(seen, int(row.last_seen_timestamp))
            if changes.last_updated_by:
                values["last_updated_by"] = changes.last_updated_by
            values["last_updated_timestamp"] = now_ms()
            conn.execute(_I.update().where(_I.c.issue_id == row.issue_id).values(**values))
            return self._issue(conn, row.issue_id)

        return self._db.write(op)

    def search_issues(self, query: IssueQuery) -> IssuePage:
        """A page of issues, ``query.max_results`` at a time."""
        size = query.max_results
        if not 1 <= size <= SEARCH_MAX_RESULTS:
            raise InvalidArgumentError(f"max_results must be between 1 and {SEARCH_MAX_RESULTS}")
        for status in query.statuses:
            rows.check_status(status)
        for severity in query.severities:
            rows.check_severity(severity)
        if query.name is not None and len(query.name) > 250:
            raise InvalidArgumentError("name must be a string of at most 250 characters")
        clauses = rows.parse_filter(query.filter_string)
        key = {
            "experiment_id": query.experiment_id,
            "filter": query.filter_string or "",
            "name": query.name,
            "statuses": sorted(query.statuses),
            "severities": sorted(query.severities),
            "categories": sorted(c.strip().lower() for c in query.categories),
            "order_by": list(query.order_by),
        }
        offset = rows.page_offset(query.page_token, key)
        where: list[Any] = [self._scope.owns_experiment(_I.c.experiment_id)]
        if query.experiment_id:
            where.append(_I.c.experiment_id == rows.experiment_number(query.experiment_id))
        for field, comparator, value in clauses:
            column = _I.c[field]
            where.append(column == value if comparator == "=" else column.is_distinct_from(value))
        if query.statuses:
            where.append(_I.c.status.in_(query.statuses))
        if query.severities:
            where.append(_I.c.severity.in_(query.severities))
        if query.name:
            where.append(sa.func.lower(_I.c.name).contains(query.name.lower(), autoescape=True))
        order = [*_order(query.order_by), _I.c.issue_id.asc()]
        wanted = {c.strip().lower() for c in query.categories}

        def op(conn: Connection) -> IssuePage:
            found = list(conn.execute(sa.select(_I).where(*where).order_by(*order)))
            if wanted:  # categories are a JSON list: filtered here, ignoring case and spaces
                found = [
                    r
                    for r in found
                    if wanted & {c.strip().lower() for c in rows.issue_of(r).categories}
                ]
            page = found[offset : offset + size]
            counts: dict[str, int] = {}
            if query.include_trace_count and page:
                ids = [r.issue_id for r in page]
                count = sa.func.count(sa.distinct(_A.c.trace_id))
                stmt = (
                    sa.select(_A.c.name, count)
                    .where(_A.c.name.in_(ids), _A.c.kind == ISSUE_KIND, _A.c.valid.is_(True))
                    .group_by(_A.c.name)
                )
                counts = {name: int(n) for name, n in conn.execute(stmt)}
            items = [
                rows.issue_of(
                    r,
                    counts.get(r.issue_id, 0) if query.include_trace_count else None,
                    basic=query.basic,
                )
                for r in page
            ]
            more = offset + size < len(found)
            token = rows.page_token(offset + size, key) if more else None
            total = len(found) if query.include_total_count else None
            return IssuePage(items, token, total)

        return self._db.read(op)

    def link_traces(
        self,
        issue_id: str,
        trace_ids: Sequence[str],
        source: tuple[str, str] = ("HUMAN", "default"),
        rationales: Mapping[str, str] | None = None,
    ) -> int:
        """Link traces of the issue's experiment (already linked ones are skipped)."""
        wanted = _trace_ids(trace_ids)
        notes = dict(rationales or {})

        def op(conn: Connection) -> int:
            return _link(conn, self._row(conn, issue_id), wanted, source, notes)

        return self._db.write(op)

    def linked_trace_ids(self, issue_id: str, max_results: int = 1000) -> list[str]:
        """The traces linked to an issue, newest link first."""

        def op(conn: Connection) -> list[str]:
            row = self._row(conn, issue_id)
            stmt = (
                sa.select(_A.c.trace_id, sa.func.max(_A.c.create_time).label("at"))
                .where(_A.c.name == row.issue_id, _A.c.kind == ISSUE_KIND, _A.c.valid.is_(True))
                .group_by(_A.c.trace_id)
                .order_by(sa.desc("at"), _A.c.trace_id)
                .limit(max_results)
            )
            return [r.trace_id for r in conn.execute(stmt)]

        return self._db.read(op)

    def failing_verdicts(
        self,
        experiment_id: str,
        start_ms: int | None = None,
        end_ms: int | None = None,
        judge: str | None = None,
        limit: int = 10_000,
    ) -> list[IssueExample]:
        """Valid LLM_JUDGE feedback that said no, with a rationale, newest traces first."""
        number = rows.experiment_number(experiment_id)
        if not 1 <= limit <= 100_000:
            raise InvalidArgumentError("limit must be between 1 and 100000")
        a, tr = _A.c, traces.c
        where: list[Any] = [
            tr.experiment_id == number,
            a.kind == "feedback",
            a.source_type == "LLM_JUDGE",
            a.valid.is_(True),
            sa.func.lower(a.value).in_(_NO),
            a.rationale.is_not(None),
            a.rationale != "",
        ]
        if start_ms is not None:
            where.append(tr.request_time >= int(start_ms))
        if end_ms is not None:
            where.append(tr.request_time <= int(end_ms))
        if judge:
            where.append(a.name == judge)
        stmt = (
            sa.select(a.assessment_id, a.trace_id, a.name, a.rationale)
            .select_from(_A.join(traces, tr.trace_id == a.trace_id))
            .where(*where)
            .order_by(tr.request_time.desc(), a.assessment_id)
            .limit(limit)
        )

        def op(conn: Connection) -> list[IssueExample]:
            self._scope.experiment_row(conn, number)
            return [
                IssueExample(r.trace_id, r.name, r.rationale, r.assessment_id)
                for r in conn.execute(stmt)
            ]

        return self._db.read(op)
