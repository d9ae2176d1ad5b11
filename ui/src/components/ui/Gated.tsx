import { cloneElement, type ReactElement } from "react";

/**
 * A control the caller may not use: `reason` "" shows `children` as it is; otherwise it is
 * disabled, with `reason` as its tooltip (on a wrapper: disabled buttons get no hover events).
 */
export function Gated({ reason, children }: { reason: string; children: ReactElement<{ disabled?: boolean }> }) {
  if (!reason) return children;
  return (
    <span className="gated" title={reason} data-denied={reason}>
      {cloneElement(children, { disabled: true })}
    </span>
  );
}
