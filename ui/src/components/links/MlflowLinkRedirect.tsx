import { useEffect } from "react";
import { useNavigate } from "react-router";
import { apiGet } from "@ardea/api/client";
import type { Answer } from "@ardea/api/types";
import { errorMessageOf } from "@ardea/lib/errors";
import { useSession } from "@ardea/hooks/session";
import { mapMlflowLink, mlflowLinkWorkspace, withoutLinkWorkspace, type LinkTarget } from "@ardea/lib/mlflowLinks";
import { experimentsPath, loggedModelPath, runPath } from "@ardea/lib/paths";

/** The notice shown after following one of MLflow's links (in the history entry's state). */
export interface LinkNoticeState {
  linkNotice?: string;
}

/** The page a target leads to, looking up the experiment of a run or logged model named alone. */
async function resolve(target: LinkTarget, signal: AbortSignal): Promise<{ to: string; notice?: string }> {
  switch (target.kind) {
    case "page":
      return { to: target.to, notice: target.notice };
    case "unknown":
      return { to: experimentsPath(), notice: `Ardea has no page for the link ${target.link}; here are the experiments.` };
    case "run":
      try {
        const r = await apiGet<Answer<"get_run_get">>("/2.0/mlflow/runs/get", { run_id: target.runId }, signal);
        return { to: runPath(r.run.info.experiment_id, target.runId, target.search) };
      } catch (e) {
        return { to: experimentsPath(), notice: `Could not open run ${target.runId}: ${errorMessageOf(e)}` };
      }
    case "loggedModel":
      try {
        const m = await apiGet<Answer<"get_logged_model_get">>(`/2.0/mlflow/logged-models/${encodeURIComponent(target.modelId)}`, {}, signal);
        return { to: loggedModelPath(m.model.info.experiment_id, target.modelId) };
      } catch (e) {
        return { to: experimentsPath(), notice: `Could not open logged model ${target.modelId}: ${errorMessageOf(e)}` };
      }
  }
}

/**
 * Follows one of MLflow's links (`/#/experiments/1/runs/<id>`, `#/models/<name>`, the notebook
 * trace renderer, ...; see `lib/mlflowLinks.ts`) to Ardea's page, replacing the history entry.
 * A link to a view Ardea lacks lands on the nearest page (or the experiments list) with a notice.
 * A link naming a workspace (`?workspace=`, on a server with workspaces) switches to it first.
 */
export function MlflowLinkRedirect({ pathname, search, hash }: { pathname: string; search: string; hash: string }) {
  const navigate = useNavigate();
  const { workspacesEnabled, workspace, setWorkspace } = useSession();
  const wanted = workspacesEnabled ? mlflowLinkWorkspace(search, hash) : null;
  const switching = wanted !== null && wanted !== workspace;
  useEffect(() => {
    if (wanted !== null) {
      // Switch (the app then remounts in that workspace) and follow the link without the
      // parameter, so that a workspace the caller cannot use is tried once only.
      if (switching) setWorkspace(wanted);
      const rest = withoutLinkWorkspace(search, hash);
      void navigate(`${pathname}${rest.search}${rest.hash}`, { replace: true });
      return undefined;
    }
    const controller = new AbortController();
    void resolve(mapMlflowLink(pathname, search, hash), controller.signal).then(({ to, notice }) => {
      if (controller.signal.aborted) return;
      const state: LinkNoticeState | undefined = notice ? { linkNotice: notice } : undefined;
      void navigate(to, { replace: true, state });
    });
    return () => controller.abort();
  }, [navigate, pathname, search, hash, switching, wanted, setWorkspace]);
  return (
    <p className="muted" role="status">
      Opening the link…
    </p>
  );
}
