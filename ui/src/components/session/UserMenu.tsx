import { useEffect, useRef, useState } from "react";
import { Link, useNavigate } from "react-router";
import { useSession } from "@ardea/hooks/session";
import { adminPath, loginPath, passwordPath, tokensPath } from "@ardea/lib/paths";
import "./session.css";

/** The signed-in user's name and menu: their API tokens and password, the admin pages (admins), sign out. */
export function UserMenu() {
  const session = useSession();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (ev: MouseEvent | KeyboardEvent) => {
      if (ev instanceof KeyboardEvent ? ev.key === "Escape" : !box.current?.contains(ev.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  const user = session.user;
  if (session.status !== "signedIn" || !user) return null;
  const item = (to: string, label: string) => (
    <li>
      <Link to={to} role="menuitem" onClick={() => setOpen(false)}>
        {label}
      </Link>
    </li>
  );
  return (
    <div className="picker user-menu" ref={box}>
      <button type="button" aria-haspopup="menu" aria-expanded={open} aria-label={`User menu of ${user.username}`} onClick={() => setOpen(!open)}>
        {user.username}
        {user.is_admin ? <span className="badge">admin</span> : null} ▾
      </button>
      {open ? (
        <div className="picker-panel" role="menu" aria-label="User menu">
          <ul className="menu-list">
            {item(tokensPath(), "My API tokens")}
            {item(passwordPath(), "Change password")}
          </ul>
          {user.is_admin ? (
            <>
              <h3>Administration</h3>
              <ul className="menu-list">
                {item(adminPath.users(), "Users")}
                {item(adminPath.serviceAccounts(), "Service accounts")}
                {item(adminPath.roles(), "Roles")}
                {session.workspacesEnabled ? item(adminPath.workspaces(), "Workspaces") : null}
                {item(adminPath.audit(), "Audit log")}
              </ul>
            </>
          ) : null}
          <ul className="menu-list">
            <li>
              <button
                type="button"
                role="menuitem"
                className="link"
                onClick={() => {
                  setOpen(false);
                  void session.signOut().finally(() => navigate(loginPath()));
                }}
              >
                Sign out
              </button>
            </li>
          </ul>
        </div>
      ) : null}
    </div>
  );
}
