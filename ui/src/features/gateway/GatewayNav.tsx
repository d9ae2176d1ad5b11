import { NavLink } from "react-router";
import { gatewayPath } from "@ardea/lib/paths";
import "./gateway.css";

/** The gateway section's heading and tabs: endpoints, usage, keys, budgets, playground. */
export function GatewayNav({ title }: { title: string }) {
  const tabs = [
    { to: gatewayPath.endpoints(), label: "Endpoints", end: false },
    { to: gatewayPath.usage(), label: "Usage", end: true },
    { to: gatewayPath.keys(), label: "Keys", end: true },
    { to: gatewayPath.budgets(), label: "Budgets", end: true },
    { to: gatewayPath.playground(), label: "Playground", end: true },
  ];
  return (
    <>
      <h1>{title}</h1>
      <nav className="gateway-tabs" aria-label="Gateway">
        {tabs.map((t) => (
          <NavLink key={t.label} to={t.to} end={t.end}>
            {t.label}
          </NavLink>
        ))}
      </nav>
    </>
  );
}
