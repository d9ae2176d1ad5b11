import { useLocation } from "react-router";
import type { LinkNoticeState } from "./MlflowLinkRedirect";

/** Why a followed MLflow link did not open the page it named (from the history entry's state). */
export function LinkNotice() {
  const state = useLocation().state as LinkNoticeState | null;
  if (!state?.linkNotice) return null;
  return (
    <div className="link-notice" role="status" data-testid="link-notice">
      {state.linkNotice}
    </div>
  );
}
