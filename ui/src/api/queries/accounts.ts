// Tokens, accounts, roles, grants, workspaces and the audit log: the queries and mutations of
// the "My API tokens" page, the admin pages and the sharing panel. Ardea's own routes live
// under /3.0/ardea/auth/..., MLflow's under /2.0/mlflow/users/..., /3.0/mlflow/roles/...,
// /3.0/mlflow/users/permissions/... and /3.0/mlflow/workspaces.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { apiGet, apiPost, apiSendJson } from "../client";
import type {
  AccountInfo,
  Answer,
  AuditList,
  CreatedToken,
  MlflowRole,
  MlflowRolePermission,
  RoleAssignment,
  TokenInfo,
  Workspace,
} from "../types";
import { AUTH, type ResourceType } from "./auth";

/** A mutation that refreshes the queries under `keys` once it succeeded. */
function useRefreshing<V, R>(call: (vars: V) => Promise<R>, keys: QueryKey[]) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: () => Promise.all(keys.map((queryKey) => client.invalidateQueries({ queryKey }))),
  });
}

// -- tokens -----------------------------------------------------------------------------------

/** Tokens of `username` (undefined: the caller's own; admins may name anyone). */
export function useTokens(username?: string, includeRevoked = false) {
  return useQuery({
    queryKey: ["tokens", username ?? "", includeRevoked],
    queryFn: ({ signal }) =>
      apiGet<{ tokens: TokenInfo[] }>(
        `${AUTH}/tokens/list`,
        { username, include_revoked: includeRevoked || undefined },
        signal,
      ).then((r) => r.tokens),
  });
}

/** A new token request (`username`: admins, for another account such as a service account). */
export interface NewToken {
  name: string;
  expires_in_days?: number;
  username?: string;
}

/** Create a token; the answer holds its secret, shown once. */
export function useCreateToken() {
  return useRefreshing((body: NewToken) => apiPost<CreatedToken>(`${AUTH}/tokens/create`, body), [["tokens"]]);
}

/** Revoke a token by id. */
export function useRevokeToken() {
  return useRefreshing((tokenId: number) => apiPost(`${AUTH}/tokens/revoke`, { token_id: tokenId }), [["tokens"]]);
}

// -- accounts ---------------------------------------------------------------------------------

/** Every account with its kind and state (admins). */
export function useAccounts() {
  return useQuery({
    queryKey: ["accounts"],
    queryFn: ({ signal }) => apiGet<{ users: AccountInfo[] }>(`${AUTH}/users/list`, {}, signal).then((r) => r.users),
  });
}

const ACCOUNT_KEYS: QueryKey[] = [["accounts"], ["users"]];

/** Create a user with a password (MLflow's `users/create`). */
export function useCreateUser() {
  return useRefreshing(
    (v: { username: string; password: string }) => apiPost<Answer<"create_user_post">>("/2.0/mlflow/users/create", v),
    ACCOUNT_KEYS,
  );
}

/** Create a service account (tokens only). */
export function useCreateServiceAccount() {
  return useRefreshing((username: string) => apiPost(`${AUTH}/service-accounts/create`, { username }), ACCOUNT_KEYS);
}

/** Make a user an admin, or not. */
export function useSetAdmin() {
  return useRefreshing(
    (v: { username: string; is_admin: boolean }) => apiSendJson("PATCH", "/2.0/mlflow/users/update-admin", v),
    ACCOUNT_KEYS,
  );
}

/** Disable or enable an account (its sessions and tokens stop at once). */
export function useSetDisabled() {
  return useRefreshing(
    (v: { username: string; disabled: boolean }) => apiPost(`${AUTH}/users/set-disabled`, v),
    ACCOUNT_KEYS,
  );
}

/** Set a user's password (an admin resetting it, or one's own with `current_password`). */
export function useSetPassword() {
  return useMutation({
    mutationFn: (v: { username: string; password: string; current_password?: string }) =>
      apiSendJson("PATCH", "/2.0/mlflow/users/update-password", v),
  });
}

/** Delete an account, with its tokens, sessions, grants and role assignments. */
export function useDeleteUser() {
  return useRefreshing((username: string) => apiSendJson("DELETE", "/2.0/mlflow/users/delete", { username }), [
    ...ACCOUNT_KEYS,
    ["tokens"],
  ]);
}

/** Every user's name (anyone signed in may list them), for pickers. */
export function useUserNames(enabled = true) {
  return useQuery({
    queryKey: ["users"],
    enabled,
    queryFn: ({ signal }) =>
      apiGet<Answer<"list_users_get">>("/2.0/mlflow/users/list", {}, signal).then((r) => r.users.map((u) => u.username)),
  });
}

// -- roles ------------------------------------------------------------------------------------

/** The roles of `workspace` (admins: every workspace's with undefined). */
export function useRoles(workspace?: string) {
  return useQuery({
    queryKey: ["roles", workspace ?? ""],
    queryFn: ({ signal }) =>
      apiGet<{ roles: MlflowRole[] }>("/3.0/mlflow/roles/list", { workspace }, signal).then((r) => r.roles),
  });
}

/** Who holds a role. */
export function useRoleUsers(roleId: number) {
  return useQuery({
    queryKey: ["roles", "users", roleId],
    queryFn: ({ signal }) =>
      apiGet<{ assignments: RoleAssignment[] }>("/3.0/mlflow/roles/users/list", { role_id: roleId }, signal).then(
        (r) => r.assignments,
      ),
  });
}

const ROLE_KEYS: QueryKey[] = [["roles"], ["access"]];

/** Create a role in a workspace. */
export function useCreateRole() {
  return useRefreshing(
    (v: { workspace: string; name: string; description?: string }) => apiPost<{ role: MlflowRole }>("/3.0/mlflow/roles/create", v),
    ROLE_KEYS,
  );
}

/** Delete a role (with its grants and assignments). */
export function useDeleteRole() {
  return useRefreshing((roleId: number) => apiSendJson("DELETE", "/3.0/mlflow/roles/delete", { role_id: roleId }), ROLE_KEYS);
}

/** Add a grant to a role: `permission` on resources of a type matching `resource_pattern` (an id or `*`). */
export function useAddRoleGrant() {
  return useRefreshing(
    (v: { role_id: number; resource_type: string; resource_pattern: string; permission: string }) =>
      apiPost<{ role_permission: MlflowRolePermission }>("/3.0/mlflow/roles/permissions/add", v),
    ROLE_KEYS,
  );
}

/** Remove a grant of a role. */
export function useRemoveRoleGrant() {
  return useRefreshing(
    (id: number) => apiSendJson("DELETE", "/3.0/mlflow/roles/permissions/remove", { role_permission_id: id }),
    ROLE_KEYS,
  );
}

/** Give a role to a user, or take it back. */
export function useAssignRole() {
  return useRefreshing(
    (v: { username: string; role_id: number; assign: boolean }) =>
      v.assign
        ? apiPost("/3.0/mlflow/roles/assign", { username: v.username, role_id: v.role_id })
        : apiSendJson("DELETE", "/3.0/mlflow/roles/unassign", { username: v.username, role_id: v.role_id }),
    [["roles"], ["users"], ["access"]],
  );
}

// -- per-user grants (sharing) ------------------------------------------------------------------

/** Give a user a level on one resource of the current workspace (replacing what it had). */
export function useGrant() {
  return useRefreshing(
    (v: { username: string; resource_type: ResourceType; resource_id: string; permission: string }) =>
      apiPost("/3.0/mlflow/users/permissions/grant", v),
    [["access"]],
  );
}

/** Take a user's own grant on one resource away. */
export function useRevoke() {
  return useRefreshing(
    (v: { username: string; resource_type: ResourceType; resource_id: string }) =>
      apiPost("/3.0/mlflow/users/permissions/revoke", v),
    [["access"]],
  );
}

// -- workspaces -------------------------------------------------------------------------------

const WORKSPACE_KEYS: QueryKey[] = [["workspaces"]];

/** Create a workspace. */
export function useCreateWorkspace() {
  return useRefreshing(
    (v: { name: string; description?: string; default_permission?: string }) =>
      apiPost<{ workspace: Workspace }>("/3.0/mlflow/workspaces", v),
    WORKSPACE_KEYS,
  );
}

/** Change a workspace's description or default permission ("" clears either). */
export function useUpdateWorkspace() {
  return useRefreshing(
    ({ name, ...fields }: { name: string; description?: string; default_permission?: string }) =>
      apiSendJson("PATCH", `/3.0/mlflow/workspaces/${encodeURIComponent(name)}`, fields),
    WORKSPACE_KEYS,
  );
}

/** How deleting a workspace treats what it holds. */
export type DeletionMode = "RESTRICT" | "CASCADE" | "SET_DEFAULT";

/** Delete a workspace. */
export function useDeleteWorkspace() {
  return useRefreshing(
    (v: { name: string; mode: DeletionMode }) =>
      apiSendJson("DELETE", `/3.0/mlflow/workspaces/${encodeURIComponent(v.name)}`, undefined, { mode: v.mode }),
    WORKSPACE_KEYS,
  );
}

// -- audit ------------------------------------------------------------------------------------

/** Filters of the audit log (`action` ending in "." matches a family, e.g. "token."). */
export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
}

/** The audit log, newest first, a page at a time. */
export function useAudit(filter: AuditFilter, pageSize = 100) {
  return useInfiniteQuery({
    queryKey: ["audit", filter, pageSize],
    initialPageParam: "",
    queryFn: ({ pageParam, signal }) =>
      apiGet<AuditList>(
        `${AUTH}/audit/list`,
        {
          max_results: pageSize,
          page_token: pageParam || undefined,
          actor: filter.actor || undefined,
          action: filter.action || undefined,
          target: filter.target || undefined,
        },
        signal,
      ),
    getNextPageParam: (last) => last.next_page_token || undefined,
  });
}
