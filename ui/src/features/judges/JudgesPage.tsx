import { useState } from "react";
import { Link, useParams } from "react-router";
import { useOnlineConfigs, useScorers, useScorerVersions } from "@ardea/api/queries/judges";
import type { OnlineScoringConfig, RegisteredScorer } from "@ardea/api/types";
import { ExperimentHeader } from "@ardea/components/experiment/ExperimentHeader";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime } from "@ardea/lib/format";
import { judgeBuilderPath } from "@ardea/lib/paths";
import { scorerKind } from "./judgeJson";
import { OnlineScoringStatus } from "./OnlineScoringStatus";
import "./judges.css";

const KIND_LABEL = { judge: "LLM judge", builtin: "built-in", code: "code (@scorer)", unknown: "unknown" } as const;

/** A scorer's kind as a short label with its detail (the judge model, the built-in class). */
export function KindLabel({ serialized }: { serialized: string }) {
  const { kind, detail } = scorerKind(serialized);
  return (
    <span>
      {KIND_LABEL[kind]}
      {detail ? <span className="muted small"> · {detail}</span> : null}
    </span>
  );
}

/** The online scoring config as text ("10% of traces where ..."), or "off". */
export function samplingText(config: OnlineScoringConfig | undefined): string {
  if (!config || !config.sample_rate) return "off";
  const rate = `${+(config.sample_rate * 100).toFixed(2)}% of traces`;
  return config.filter_string ? `${rate} where ${config.filter_string}` : rate;
}

function Versions({ experimentId, name }: { experimentId: string; name: string }) {
  const versions = useScorerVersions(experimentId, name);
  if (versions.error) return <ErrorBanner error={versions.error} />;
  if (!versions.data) return <p className="muted">Loading versions…</p>;
  return (
    <table className="plain versions" aria-label={`Versions of ${name}`}>
      <thead>
        <tr>
          <th>Version</th>
          <th>Registered</th>
          <th>Kind</th>
          <th aria-label="Open" />
        </tr>
      </thead>
      <tbody>
        {versions.data.map((v) => (
          <tr key={v.scorer_version} data-version={v.scorer_version}>
            <td>{v.scorer_version}</td>
            <td>{formatTime(v.creation_time)}</td>
            <td>
              <KindLabel serialized={v.serialized_scorer} />
            </td>
            <td>
              {scorerKind(v.serialized_scorer).kind === "judge" ? (
                <Link to={judgeBuilderPath(experimentId, { name, version: String(v.scorer_version) })}>Open in builder</Link>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ScorerRow({ experimentId, scorer, config }: { experimentId: string; scorer: RegisteredScorer; config: OnlineScoringConfig | undefined }) {
  const [open, setOpen] = useState(false);
  const name = scorer.scorer_name;
  return (
    <>
      <tr data-scorer={name}>
        <td>
          <button type="button" className="link-button" aria-expanded={open} aria-label={`Versions of ${name}`} onClick={() => setOpen(!open)}>
            {open ? "▾" : "▸"}
          </button>{" "}
          <strong>{name}</strong>
        </td>
        <td data-col="version">{scorer.scorer_version}</td>
        <td>
          <KindLabel serialized={scorer.serialized_scorer} />
        </td>
        <td data-col="sampling">{samplingText(config)}</td>
        <td>{formatTime(scorer.creation_time)}</td>
        <td>
          {scorerKind(scorer.serialized_scorer).kind === "judge" ? (
            <Link to={judgeBuilderPath(experimentId, { name, version: String(scorer.scorer_version) })}>Edit</Link>
          ) : null}
        </td>
      </tr>
      {open ? (
        <tr className="versions-row">
          <td colSpan={6}>
            <Versions experimentId={experimentId} name={name} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/**
 * The experiment's registered scorers (MLflow's scorer registry): name, latest version, kind,
 * online sampling; each one's versions on demand; judges open in the builder to edit.
 */
export default function JudgesPage() {
  const { experimentId = "" } = useParams();
  const scorers = useScorers(experimentId);
  const list = [...(scorers.data ?? [])].sort((a, b) => a.scorer_name.localeCompare(b.scorer_name));
  const configs = useOnlineConfigs(list.map((s) => s.scorer_id));
  const byId = new Map((configs.data ?? []).map((c) => [c.scorer_id, c]));
  return (
    <section>
      <ExperimentHeader experimentId={experimentId} />
      <div className="toolbar">
        <Link className="button" to={judgeBuilderPath(experimentId)}>
          New judge
        </Link>
        <span className="muted">Write an LLM judge, try it on traces beside human labels, and save it here.</span>
      </div>
      <ErrorBanner error={scorers.error} />
      <ErrorBanner error={configs.error} />
      <OnlineScoringStatus experimentId={experimentId} />
      {scorers.isPending ? <p className="muted">Loading scorers…</p> : null}
      {scorers.data && list.length === 0 ? (
        <p className="muted" data-testid="no-scorers">
          No registered scorers yet. Save a judge from the builder, or call <code>scorer.register()</code> from the <code>mlflow</code> or{" "}
          <code>ardea</code> SDK.
        </p>
      ) : null}
      {list.length > 0 ? (
        <div className="table-scroll">
          <table className="plain" aria-label="Registered scorers">
            <thead>
              <tr>
                <th>Scorer</th>
                <th>Latest version</th>
                <th>Kind</th>
                <th>Online sampling</th>
                <th>Registered</th>
                <th aria-label="Edit" />
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <ScorerRow key={s.scorer_name} experimentId={experimentId} scorer={s} config={byId.get(s.scorer_id)} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
