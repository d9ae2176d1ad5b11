"""``ardea import mlflow``: walk an :class:`MlflowSource` and restore it into a Backend.

Order: experiments, then per experiment its logged models, runs (with their full metric
history) and traces (with spans and assessments), then registered models and prompts (with
versions and aliases), then webhooks. Artifacts of runs, logged models and traces are copied
byte for byte (streamed) before the unit that names them is committed.

Resume and idempotence come from the destination's import ledger
(:mod:`ardea.store.importing`): a unit is committed together with its ledger row, units
already in the ledger are skipped without reading them, so an interrupted import continues
where it stopped and a second import writes nothing. At the end every kind is checked
against the destination (:meth:`~ardea.store.importing.ImportStore.count_present`), and the
report says what the source has, what this run imported, what was there already and what
the destination now holds.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TextIO

from ardea._core.errors import (
    ArdeaError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
)
from ardea._core.progress import count_progress
from ardea.entities import Experiment, LoggedModel, Metric, ModelVersion, Run, Span, TraceInfo
from ardea.entities.webhook import Webhook, parse_event
from ardea.importers.mlflow.source import PROMPT_TAG, MlflowSource, SourceRun
from ardea.store.artifacts.base import ArtifactStore
from ardea.store.artifacts.resolve import resolve_artifact_store
from ardea.store.backend import Backend
from ardea.store.importing import ImportedRun

__all__ = ["KINDS", "ImportReport", "KindCount", "MlflowImporter"]

KINDS: tuple[tuple[str, str], ...] = (
    ("experiment", "experiments"),
    ("run", "runs"),
    ("metric_points", "metric points"),
    ("dataset_inputs", "dataset inputs"),
    ("logged_model", "logged models"),
    ("trace", "traces"),
    ("spans", "spans"),
    ("assessments", "assessments"),
    ("registered_model", "registered models + prompts"),
    ("model_versions", "model + prompt versions"),
    ("aliases", "aliases"),
    ("webhook", "webhooks"),
    ("artifact_files", "artifact files copied"),
)
"""(kind, label) of the report's rows, in order."""

_LEDGER_KINDS = ("experiment", "run", "logged_model", "trace", "registered_model", "webhook")
_MLFLOW_ARTIFACTS = "mlflow-artifacts:"


@dataclass(slots=True)
class KindCount:
    """One row of the report.

    Attributes:
        source: How many the source has (for derived kinds of skipped units: of the units read
            in this run); None when unknown.
        imported: Written in this run.
        skipped: Found already imported (ledger) or already present, so not written again.
        present: How many of the source's the destination holds after the run.
    """

    source: int | None = 0
    imported: int = 0
    skipped: int = 0
    present: int | None = None

    @property
    def ok(self) -> bool:
        """The destination holds everything the source has (where both are known)."""
        return self.source is None or self.present is None or self.present >= self.source


@dataclass(slots=True)
class ImportReport:
    """Per-kind counts, notes, and how long it took."""

    counts: dict[str, KindCount] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """Every kind checked out (a dry run checks nothing)."""
        return self.dry_run or all(c.ok for c in self.counts.values())

    def row(self, kind: str) -> KindCount:
        """The row of ``kind`` (created empty)."""
        return self.counts.setdefault(kind, KindCount())

    def to_dict(self) -> dict[str, object]:
        """The report as plain JSON-able data (``ardea import mlflow --report-json``)."""
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "seconds": round(self.seconds, 3),
            "counts": {
                kind: {
                    "label": label,
                    "source": c.source,
                    "imported": c.imported,
                    "already_there": c.skipped,
                    "in_ardea": c.present,
                    "ok": c.ok,
                }
                for kind, label in KINDS
                if (c := self.counts.get(kind)) is not None
            },
            "notes": list(self.notes),
        }

    def format(self) -> str:
        """The report as a plain-text table plus notes."""
        head: tuple[str, ...] = (
            "kind",
            "source",
            "would import" if self.dry_run else "imported",
            "already there",
        )
        head += () if self.dry_run else ("in Ardea", "check")
        lines: list[tuple[str, ...]] = [head]
        for kind, label in KINDS:
            c = self.counts.get(kind)
            if c is None:
                continue
            cells: tuple[str, ...] = (
                label,
                "?" if c.source is None else str(c.source),
                str(c.imported),
                str(c.skipped),
            )
            if not self.dry_run:
                present = "-" if c.present is None else str(c.present)
                cells += (present, "ok" if c.ok else "MISSING")
            lines.append(cells)
        widths = [max(len(r[i]) for r in lines) for i in range(len(head))]
        out = [
            "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in
                      enumerate(zip(r, widths, strict=True)))
            for r in lines
        ]  # fmt: skip
        out.insert(1, "  ".join("-" * w for w in widths))
        out.append(f"took {self.seconds:.1f} s")
        out.extend(f"note: {n}" for n in self.notes)
        return "\n".join(out)


class MlflowImporter:
    """One import of ``source`` into ``dest``.

    Args:
        source: What to read.
        dest: Where to write; a database backend (a REST backend cannot keep ids).
        experiment_ids: Source experiment ids to import (None: all). The registry and webhooks
            are global and always imported.
        dry_run: Read and count only; write nothing.
        log: Where progress lines go (default stderr).
    """

    def __init__(
        self,
        source: MlflowSource,
        dest: Backend,
        *,
        experiment_ids: set[str] | None = None,
        dry_run: bool = False,
        log: TextIO | None = None,
    ) -> None:
        if dest.remote and not dry_run:
            raise FailedPreconditionError(
                f"Cannot import into the server {dest.uri}: the MLflow wire cannot keep ids and "
                "times. Import into its database instead (--to <its backend store URI>)."
            )
        self.source = source
        self.dest = dest
        self.experiment_ids = experiment_ids
        self.dry_run = dry_run
        self.log = log if log is not None else sys.stderr
        self.report = ImportReport(dry_run=dry_run)
        self._ledger: dict[str, dict[str, str]] = {}
        self._seen: dict[str, list[str]] = {k: [] for k in _LEDGER_KINDS}
        self._uri_map: dict[str, str] = {}  # source artifact root -> destination root
        self._no_artifacts: set[str] = set()
        self._runs_now: list[str] = []
        self._totals: dict[str, int] = {}

    # --- driver --------------------------------------------------------------------------

    def run(self) -> ImportReport:
        """Import everything; returns the report (also when a kind comes out short)."""
        started = time.perf_counter()
        for kind in _LEDGER_KINDS:
            self._ledger[kind] = (
                {} if self.dest.remote else self.dest.importing.ledger(self.source.key, kind)
            )
        experiments = self._experiments()
        for source_id, (dest_id, location, exp) in experiments.items():
            self._logged_models(source_id, dest_id, location)
            self._runs(source_id, dest_id, location, exp.name)
            self._traces(source_id, dest_id, location, exp.name)
        self._registry()
        self._webhooks()
        self._totals = {} if self.dry_run else self.source.totals(list(experiments))
        self._verify()
        self.report.seconds = time.perf_counter() - started
        if self._no_artifacts:
            first = sorted(self._no_artifacts)[0]
            self.report.notes.append(
                f"the artifacts of {len(self._no_artifacts)} runs, models or traces were not "
                f"copied: the source cannot read them (e.g. {first}); for a database source "
                "pass --artifacts <the MLflow server's --artifacts-destination>"
            )
        return self.report

    def _say(self, text: str) -> None:
        print(text, file=self.log, flush=True)

    # --- experiments ---------------------------------------------------------------------

    def _experiments(self) -> dict[str, tuple[str, str, Experiment]]:
        """``{source id: (destination id, destination artifact location, experiment)}``."""
        row = self.report.row("experiment")
        chosen = [
            e
            for e in self.source.experiments()
            if self.experiment_ids is None or e.experiment_id in self.experiment_ids
        ]
        if self.experiment_ids is not None:
            unknown = self.experiment_ids - {e.experiment_id for e in chosen}
            if unknown:
                raise NotFoundError(
                    f"No experiment with id {', '.join(sorted(unknown))} in the source"
                )
        row.source = len(chosen)
        out: dict[str, tuple[str, str, Experiment]] = {}
        done = self._ledger["experiment"]
        with count_progress("experiments", len(chosen)) as advance:
            for exp in chosen:
                self._seen["experiment"].append(exp.experiment_id)
                if self.dry_run:
                    dest_id, created = exp.experiment_id, exp.experiment_id not in done
                    location = f"mlflow-artifacts:/{dest_id}"
                else:
                    dest_id, created = self.dest.importing.put_experiment(
                        self.source.key,
                        replace(exp, artifact_location="mlflow-artifacts:/{experiment_id}"),
                    )
                    location = self.dest.tracking.get_experiment(dest_id).artifact_location
                if created:
                    row.imported += 1
                else:
                    row.skipped += 1
                self._map_prefix(exp.artifact_location, location)
                out[exp.experiment_id] = (dest_id, location.rstrip("/"), exp)
                advance(1)
        moved = {s: d for s, (d, _, _) in out.items() if s != d}
        self._say(
            f"experiments: {row.imported} imported, {row.skipped} already there"
            + (f" (ids mapped: {moved})" if moved else "")
        )
        return out

    # --- artifacts -----------------------------------------------------------------------

    def _dest_store(self, uri: str) -> ArtifactStore:
        if uri.startswith(_MLFLOW_ARTIFACTS):
            rest = uri.split(":", 1)[1]
            if rest.startswith("//"):
                rest = "/" + rest[2:].split("/", 1)[-1]
            return self.dest.artifacts_at(rest.strip("/"))
        return resolve_artifact_store(uri)

    def _copy_artifacts(self, source_uri: str, dest_uri: str) -> int:
        """Copy every file under ``source_uri`` to ``dest_uri``; returns the number of files."""
        if self.dry_run or not source_uri:
            return 0
        src = self.source.artifacts(source_uri)
        if src is None:
            self._no_artifacts.add(source_uri)
            return 0
        dst: ArtifactStore | None = None
        copied = 0
        try:
            for path in _walk(src, ""):
                if dst is None:
                    dst = self._dest_store(dest_uri)
                dst.put(path, src.open(path))
                copied += 1
        finally:
            src.close()
            if dst is not None:
                dst.close()
        files = self.report.row("artifact_files")
        files.source = (files.source or 0) + copied
        files.imported += copied
        return copied

    def _map_uri(self, uri: str | None) -> str | None:
        """A source artifact URI in destination terms (longest matching known prefix)."""
        if not uri:
            return uri
        parts = uri.split("/")
        for cut in range(len(parts), 0, -1):
            new = self._uri_map.get("/".join(parts[:cut]))
            if new is not None:
                return "/".join([new, *parts[cut:]])
        return uri

    def _map_prefix(self, old: str, new: str) -> None:
        if old:
            self._uri_map[old.rstrip("/")] = new.rstrip("/")

    # --- logged models -------------------------------------------------------------------

    def _logged_models(self, source_exp: str, dest_exp: str, location: str) -> None:
        row = self.report.row("logged_model")
        done = self._ledger["logged_model"]
        for model in self.source.logged_models(source_exp):
            row.source = (row.source or 0) + 1
            self._seen["logged_model"].append(model.model_id)
            new_location = f"{location}/models/{model.model_id}/artifacts"
            self._map_prefix(model.artifact_location, new_location)
            if model.model_id in done:
                row.skipped += 1
                continue
            if self.dry_run:
                row.imported += 1
                continue
            self._copy_artifacts(model.artifact_location, new_location)
            restored = replace(model, experiment_id=dest_exp, artifact_location=new_location)
            if self._put_model(restored):
                row.imported += 1
            else:
                row.skipped += 1

    def _put_model(self, model: LoggedModel) -> bool:
        return self.dest.importing.put_logged_model(self.source.key, model)

    # --- runs ----------------------------------------------------------------------------

    def _runs(self, source_exp: str, dest_exp: str, location: str, name: str) -> None:
        row = self.report.row("run")
        points = self.report.row("metric_points")
        inputs = self.report.row("dataset_inputs")
        done = self._ledger["run"]
        runs = list(self.source.runs(source_exp))
        row.source = (row.source or 0) + len(runs)
        started = time.perf_counter()
        before = points.imported
        skipped_before = row.skipped
        with count_progress(f"runs of {name!r}", len(runs), "run") as advance:
            for item in runs:
                run = item.run
                run_id = run.info.run_id
                self._seen["run"].append(run_id)
                new_uri = f"{location}/{run_id}/artifacts"
                self._map_prefix(run.info.artifact_uri, new_uri)
                inputs.source = (inputs.source or 0) + len(run.inputs.dataset_inputs)
                if run_id in done:
                    row.skipped += 1
                    advance(1)
                    continue
                if self.dry_run:
                    row.imported += 1
                    advance(1)
                    continue
                self._copy_artifacts(run.info.artifact_uri, new_uri)
                if self._put_run(item, dest_exp, new_uri):
                    row.imported += 1
                    inputs.imported += len(run.inputs.dataset_inputs)
                else:
                    row.skipped += 1
                advance(1)
        if runs:
            took = time.perf_counter() - started
            n = points.imported - before
            self._say(
                f"runs of {name!r}: {len(runs)}, {row.skipped - skipped_before} already there; "
                f"{n:,} metric points in {took:.1f} s"
                + (f" ({n / took:,.0f} points/s)" if took > 0 and n else "")
            )

    def _put_run(self, item: SourceRun, dest_exp: str, new_uri: str) -> bool:
        run = item.run
        restored = Run(
            info=replace(run.info, experiment_id=dest_exp, artifact_uri=new_uri),
            data=run.data,
            inputs=run.inputs,
            outputs=run.outputs,
        )
        row = self.report.row("metric_points")
        read = [0]

        def chunks() -> Iterator[list[Metric]]:
            for chunk in self.source.metric_history(run):
                read[0] += len(chunk)
                yield chunk

        created = self.dest.importing.put_run(
            self.source.key,
            ImportedRun(run=restored, deleted_time=item.deleted_time, metrics=chunks()),
        )
        if created:
            row.imported += read[0]
            self._runs_now.append(run.info.run_id)
        return created

    # --- traces --------------------------------------------------------------------------

    def _traces(self, source_exp: str, dest_exp: str, location: str, name: str) -> None:
        row = self.report.row("trace")
        spans_row = self.report.row("spans")
        assess_row = self.report.row("assessments")
        done = self._ledger["trace"]
        infos = list(self.source.traces(source_exp))
        row.source = (row.source or 0) + len(infos)
        skipped_before = row.skipped
        with count_progress(f"traces of {name!r}", len(infos), "trace") as advance:
            for info in infos:
                self._seen["trace"].append(info.trace_id)
                if info.trace_id in done:
                    row.skipped += 1
                    advance(1)
                    continue
                spans = self.source.spans(info)
                spans_row.source = (spans_row.source or 0) + len(spans)
                assess_row.source = (assess_row.source or 0) + len(info.assessments)
                if self.dry_run:
                    row.imported += 1
                    advance(1)
                    continue
                self._put_trace(info, spans, dest_exp, location)
                spans_row.imported += len(spans)
                row.imported += 1
                advance(1)
        if infos:
            self._say(
                f"traces of {name!r}: {len(infos)}, {row.skipped - skipped_before} already there"
            )

    def _put_trace(self, info: TraceInfo, spans: list[Span], dest_exp: str, location: str) -> None:
        traces = self.dest.traces
        source_location = info.tags.get("mlflow.artifactLocation")
        if source_location:
            self._copy_artifacts(source_location, f"{location}/traces/{info.trace_id}/artifacts")
        if spans:
            traces.log_spans(dest_exp, spans)
        assessments = info.assessments
        tags = {k: v for k, v in info.tags.items() if k != "mlflow.artifactLocation"}
        traces.start_trace(replace(info, experiment_id=dest_exp, tags=tags, assessments=[]))
        row = self.report.row("assessments")
        # Overridden assessments first, so an override finds what it overrides.
        for a in sorted(assessments, key=lambda a: (a.overrides is not None, a.create_time)):
            try:
                traces.get_assessment(info.trace_id, a.assessment_id)
                continue
            except NotFoundError:
                pass
            stored = traces.create_assessment(replace(a, trace_id=info.trace_id))
            if not a.valid and stored.valid:
                traces.update_assessment(info.trace_id, stored.assessment_id, {"valid": False})
            row.imported += 1
        self.dest.importing.mark_imported(
            self.source.key, "trace", [(info.trace_id, info.trace_id)]
        )

    # --- registry ------------------------------------------------------------------------

    def _registry(self) -> None:
        row = self.report.row("registered_model")
        versions_row = self.report.row("model_versions")
        aliases_row = self.report.row("aliases")
        done = self._ledger["registered_model"]
        models = list(self.source.registered_models())
        row.source = len(models)
        prompts = 0
        with count_progress("registered models", len(models), "model") as advance:
            for model, versions in models:
                self._seen["registered_model"].append(model.name)
                visible = [v for v in versions if v.current_stage != "Deleted_Internal"]
                versions_row.source = (versions_row.source or 0) + len(visible)
                numbers = {int(v.version) for v in visible}
                aliases = [a for a in model.aliases if int(a.version) in numbers]
                aliases_row.source = (aliases_row.source or 0) + len(aliases)
                prompts += model.tags.get(PROMPT_TAG, "").lower() == "true"
                if model.name in done:
                    row.skipped += 1
                    advance(1)
                    continue
                if self.dry_run:
                    row.imported += 1
                    advance(1)
                    continue
                restored = [self._restore_version(v) for v in versions]
                if self.dest.importing.put_registered_model(self.source.key, model, restored):
                    row.imported += 1
                    versions_row.imported += len(visible)
                    aliases_row.imported += len(aliases)
                else:
                    row.skipped += 1
                advance(1)
        self._say(
            f"registered models: {len(models)} ({prompts} prompts), {row.imported} imported, "
            f"{row.skipped} already there"
        )

    def _restore_version(self, v: ModelVersion) -> ModelVersion:
        return replace(
            v,
            source=self._map_uri(v.source) or "",
            storage_location=self._map_uri(v.storage_location),
        )

    # --- webhooks ------------------------------------------------------------------------

    def _webhooks(self) -> None:
        row = self.report.row("webhook")
        done = self._ledger["webhook"]
        hooks = list(self.source.webhooks())
        row.source = len(hooks)
        disabled = []
        for item in hooks:
            hook = item.webhook
            self._seen["webhook"].append(hook.webhook_id)
            if hook.webhook_id in done:
                row.skipped += 1
                continue
            if self.dry_run:
                row.imported += 1
                continue
            events = []
            for event in hook.events:
                try:
                    events.append(parse_event(event))
                except InvalidArgumentError:
                    self.report.notes.append(
                        f"webhook {hook.name!r}: event {event} is unknown to Ardea, left out"
                    )
            restored: Webhook = replace(hook, events=tuple(dict.fromkeys(events)))
            if item.secret is None and hook.status == "ACTIVE":
                # Unsigned deliveries would fail the receiver's signature check: let the user
                # set the secret and switch it back on.
                restored = replace(restored, status="DISABLED")
                disabled.append(hook.name)
            try:
                created = self.dest.importing.put_webhook(self.source.key, restored, item.secret)
            except InvalidArgumentError as e:
                if item.secret is None:
                    raise
                # The destination cannot encrypt secrets (no key): keep the webhook, off.
                self.report.notes.append(f"webhook {hook.name!r} imported DISABLED: {e}")
                restored = replace(restored, status="DISABLED")
                created = self.dest.importing.put_webhook(self.source.key, restored, None)
            if created:
                row.imported += 1
            else:
                row.skipped += 1
        if disabled:
            self.report.notes.append(
                f"webhook secrets could not be read from the source ({', '.join(disabled)}): "
                "imported DISABLED without a secret; set the secret and status ACTIVE with "
                "update_webhook (for a database source, MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY "
                "decrypts them)"
            )
        if hooks:
            self._say(
                f"webhooks: {len(hooks)}, {row.imported} imported, {row.skipped} already there"
            )

    # --- the check -----------------------------------------------------------------------

    def _verify(self) -> None:
        if self.dry_run:
            return
        ids: dict[str, list[str]] = dict(self._seen)
        runs_now = self._runs_now
        traces_now = [t for t in self._seen["trace"] if t not in self._ledger["trace"]]
        # A kind the source totals cheaply is checked over every unit; otherwise over the
        # units read (and imported) in this run, whose counts the importer kept.
        scope = {
            "metric_points": (self._seen["run"], runs_now),
            "spans": (self._seen["trace"], traces_now),
            "assessments": (self._seen["trace"], traces_now),
        }
        for kind, (everything, now) in scope.items():
            row = self.report.row(kind)
            if kind in self._totals:
                row.source = self._totals[kind]
                ids[kind] = everything
            else:
                row.source = row.imported if kind == "metric_points" else (row.source or 0)
                ids[kind] = now
        ids["dataset_inputs"] = self._seen["run"]
        ids["model_versions"] = self._seen["registered_model"]
        ids["aliases"] = self._seen["registered_model"]
        try:
            present = self.dest.importing.count_present(self.source.key, ids)
        except ArdeaError as e:  # pragma: no cover - a destination that cannot count
            self.report.notes.append(f"could not check the destination: {e}")
            return
        for kind, n in present.items():
            self.report.row(kind).present = n


def _walk(store: ArtifactStore, path: str) -> Iterator[str]:
    for info in store.list(path):
        if info.is_dir:
            yield from _walk(store, info.path)
        else:
            yield info.path
