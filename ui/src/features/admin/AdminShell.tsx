import type { ReactNode } from "react";
import { NavLink } from "react-router";
import { useSession } from "@ardea/hooks/session";
import { adminPath } from "@ardea/lib/paths";
import "@ardea/components/session/session.css";

/** The frame of every admin page: its title, the admin pages' links, and admins only. */
export function AdminShell({ title, children }: { title: string; children: ReactNode }) {
  const session = useSession();
  if (!session.authEnabled) return <p className="muted">This server runs without authentication: there is nothing to administer.</p>;
  if (!session.user?.is_admin) return <p role="alert">Only admins may see this page.</p>;
  const link = (to: string, text: string) => (
    <NavLink to={to} end>
      {text}
    </NavLink>
  );
  return (
    <section>
      <nav className="admin-nav" aria-label="Administration">
        {link(adminPath.users(), "Users")}
        {link(adminPath.serviceAccounts(), "Service accounts")}
        {link(adminPath.roles(), "Roles")}
        {session.workspacesEnabled ? link(adminPath.workspaces(), "Workspaces") : null}
        {link(adminPath.audit(), "Audit log")}
      </nav>
      <h1>{title}</h1>
      {children}
    </section>
  );
}

/** MLflow's levels a grant may give, in the order pickers list them. */
export const GRANT_LEVELS = ["READ", "USE", "EDIT", "MANAGE", "NO_PERMISSIONS", "DENY"] as const;

/** Resource types a role grant may name. */
export const RESOURCE_TYPES = [
  "experiment",
  "registered_model",
  "prompt",
  "webhook",
  "evaluation_dataset",
  "scorer",
  "gateway_secret",
  "gateway_endpoint",
  "gateway_model_definition",
  "workspace",
] as const;
