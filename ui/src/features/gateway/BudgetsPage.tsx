import { useGatewayBudgets, type GatewayBudgetPolicy, type GatewayBudgetWindow } from "@ardea/api/queries/gateway";
import { ErrorBanner } from "@ardea/components/ui/ErrorBanner";
import { formatTime } from "@ardea/lib/format";
import { GatewayNav } from "./GatewayNav";
import { formatUsd } from "./usageSeries";

/** A policy's window as text: "1 DAYS", "7 DAYS". */
const durationText = (p: GatewayBudgetPolicy) => `${p.duration.value} ${p.duration.unit.toLowerCase()}`;

function SpendBar({ spent, limit }: { spent: number; limit: number }) {
  const ratio = limit > 0 ? spent / limit : 0;
  return (
    <div className="spend">
      <progress max={1} value={Math.min(ratio, 1)} aria-label={`${Math.round(ratio * 100)}% spent`} className={ratio >= 1 ? "over" : ""} />
      <span>
        {formatUsd(spent)} of {formatUsd(limit)} ({Math.round(ratio * 100)}%)
      </span>
    </div>
  );
}

/** The budget policies and, where the server reports one, their current window's spend. */
export default function BudgetsPage() {
  const budgets = useGatewayBudgets();
  const windowsOf = (id: string): GatewayBudgetWindow[] => (budgets.data?.windows ?? []).filter((w) => w.budget_policy_id === id);
  return (
    <div className="gateway-page">
      <GatewayNav title="Gateway budgets" />
      <ErrorBanner error={budgets.error} />
      {budgets.data ? (
        budgets.data.policies.length ? (
          <table className="plain" aria-label="Budgets">
            <thead>
              <tr>
                <th>Applies to</th>
                <th>Limit</th>
                <th>Window</th>
                <th>When spent</th>
                <th>Current window</th>
              </tr>
            </thead>
            <tbody>
              {budgets.data.policies.map((p) => {
                const windows = windowsOf(p.budget_policy_id);
                return (
                  <tr key={p.budget_policy_id} data-budget={p.budget_policy_id}>
                    <td>
                      {p.target_scope.toLowerCase()}
                      {p.target_value ? ` ${p.target_value}` : ""}
                    </td>
                    <td>
                      {formatUsd(p.budget_amount)} {p.budget_unit !== "USD" ? p.budget_unit : ""}
                    </td>
                    <td>{durationText(p)}</td>
                    <td>{p.budget_action === "REJECT" ? "reject requests" : "alert"}</td>
                    <td>
                      {windows.length ? (
                        windows.map((w, i) => (
                          <div key={i}>
                            <SpendBar spent={Number(w.current_spend ?? 0)} limit={Number(w.budget_amount ?? p.budget_amount)} />
                            {w.window_end ? <span className="muted small">until {formatTime(w.window_end)}</span> : null}
                          </div>
                        ))
                      ) : (
                        <span className="muted">no spend reported</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : (
          <p className="muted">No budget policies in this workspace.</p>
        )
      ) : budgets.isLoading ? (
        <p className="muted">Loading…</p>
      ) : null}
    </div>
  );
}
