import { Link, useSearchParams } from "react-router";
import { useDatasets } from "@ardea/api/queries/datasets";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime } from "@ardea/lib/format";
import { datasetPath, datasetsPath, runsPath } from "@ardea/lib/paths";
import { recordCount } from "./datasetJson";
import "./datasets.css";

/** The evaluation datasets, by name: all of them, or those of one experiment (`?experiment=`). */
export default function DatasetsPage() {
  const [params] = useSearchParams();
  const experimentId = params.get("experiment") ?? "";
  const datasets = useDatasets(experimentId || undefined);
  const list = datasets.data ?? [];
  return (
    <section>
      <h1>Datasets</h1>
      {experimentId ? (
        <p className="muted">
          Datasets of <Link to={runsPath(experimentId)}>experiment {experimentId}</Link> ·{" "}
          <Link to={datasetsPath()}>all datasets</Link>
        </p>
      ) : null}
      <ErrorBanner error={datasets.error} />
      {datasets.isPending ? <p className="muted">Loading datasets…</p> : null}
      {datasets.data && list.length === 0 ? (
        <p className="muted" data-testid="no-datasets">
          No evaluation datasets yet. Create one with <code>ardea.evaluation.datasets.create_dataset()</code> or{" "}
          <code>mlflow.genai.datasets.create_dataset()</code>.
        </p>
      ) : null}
      {list.length > 0 ? (
        <table className="plain" aria-label="Datasets">
          <thead>
            <tr>
              <th>Name</th>
              <th>Records</th>
              <th>Version</th>
              <th>Experiments</th>
              <th>Updated</th>
              <th>Digest</th>
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr key={d.dataset_id} data-dataset={d.name}>
                <td>
                  <Link to={datasetPath(d.dataset_id)}>{d.name}</Link>
                </td>
                <td>{recordCount(d.profile) ?? "—"}</td>
                <td>{d.version}</td>
                <td>
                  {d.experiment_ids.map((e, i) => (
                    <span key={e}>
                      {i > 0 ? ", " : ""}
                      <Link to={runsPath(e)}>{e}</Link>
                    </span>
                  ))}
                </td>
                <td>{formatTime(d.last_update_time)}</td>
                <td className="muted">{d.digest}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
