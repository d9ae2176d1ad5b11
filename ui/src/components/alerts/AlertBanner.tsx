import { Link } from "react-router";
import { useAlertRules } from "@ardea/api/queries/alerts";
import { alertsPath } from "@ardea/lib/paths";
import { describeRule, formatMeasure } from "./describe";
import "./alerts.css";

/** A red banner on an experiment's pages while any of its alert rules fires. */
export function AlertBanner({ experimentId }: { experimentId: string }) {
  const rules = useAlertRules(experimentId);
  const firing = (rules.data ?? []).filter((r) => r.state === "FIRING");
  if (!firing.length) return null;
  return (
    <div className="alert-banner" role="alert" data-testid="alert-banner">
      <strong>
        {firing.length === 1 ? "1 alert firing" : `${firing.length} alerts firing`}:
      </strong>{" "}
      {firing.map((r, i) => (
        <span key={r.rule_id}>
          {i ? "; " : ""}
          {r.name} ({describeRule(r)}; now {formatMeasure(r.kind, r.last_value)})
        </span>
      ))}{" "}
      <Link to={alertsPath(experimentId)}>See alerts</Link>
    </div>
  );
}
