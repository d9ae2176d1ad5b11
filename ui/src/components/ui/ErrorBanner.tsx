import { errorMessageOf } from "@ardea/lib/errors";

/** A server or client error as plain text (role=alert), or nothing when there is none. */
export function ErrorBanner({ error, prefix }: { error: unknown; prefix?: string }) {
  if (!error) return null;
  return (
    <div className="error-banner" role="alert">
      {prefix ? `${prefix}: ` : ""}
      {errorMessageOf(error)}
    </div>
  );
}
