import { Link, useSearchParams } from "react-router";
import { useRegisteredModels } from "@ardea/api/queries/registry";
import { FilterBox } from "@ardea/components/search/FilterBox";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime } from "@ardea/lib/format";
import { modelPath } from "@ardea/lib/paths";
import { usePaging } from "./usePaging";

function ModelsTable({ search }: { search: string }) {
  const paging = usePaging();
  const models = useRegisteredModels(search, false, paging.token);
  const rows = models.data?.registered_models ?? [];
  return (
    <>
      <ErrorBanner error={models.error} />
      {models.isPending ? <p className="muted">Loading models…</p> : null}
      {!models.isPending && !rows.length && !models.error ? <p className="muted">No registered models{search ? " match" : " yet"}.</p> : null}
      <table className="plain" aria-label="Registered models">
        <thead>
          <tr>
            <th>Name</th>
            <th>Latest version</th>
            <th>Aliases</th>
            <th>Description</th>
            <th>Last modified</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((m) => (
            <tr key={m.name}>
              <td>
                <Link to={modelPath(m.name)}>{m.name}</Link>
              </td>
              <td>{m.latest_versions?.length ? Math.max(...m.latest_versions.map((v) => Number(v.version))) : ""}</td>
              <td>{(m.aliases ?? []).map((a) => `@${a.alias} → v${a.version}`).join(", ")}</td>
              <td className="preview-cell">{m.description ?? ""}</td>
              <td>{formatTime(m.last_updated_timestamp)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="toolbar pager">
        <button type="button" onClick={paging.back} disabled={paging.page <= 1}>
          Previous
        </button>
        <span className="muted">Page {paging.page}</span>
        <button
          type="button"
          onClick={() => models.data?.next_page_token && paging.next(models.data.next_page_token)}
          disabled={!models.data?.next_page_token}
        >
          Next
        </button>
      </div>
    </>
  );
}

/** Registered models (prompts left out), searched by name on the server (`?q=`), 50 a page. */
export default function ModelsPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get("q") ?? "";
  return (
    <section>
      <h1>Models</h1>
      <div className="toolbar">
        <FilterBox key={search} label="Search models" placeholder="Model name contains…" value={search} onApply={(q) => setParams(q ? { q } : {})} />
      </div>
      <ModelsTable key={search} search={search} />
    </section>
  );
}
