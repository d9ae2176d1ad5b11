// What the caller may do with one resource, from `GET /ajax-api/3.0/ardea/auth/access/batch`
// (rows asked in the same tick share one request) or `access` for a workspace: the server's own
// decision, so the UI never guesses a rule. Without --auth everything is
// allowed and nothing is asked; admins may do everything and are not asked either.
import { useAccess, useAccessLevel, type ResourceType } from "@ardea/api/queries/auth";
import type { AccessGrant } from "@ardea/api/types";
import { useSession } from "./session";

/** MLflow's levels that allow something, lowest first. */
export const LEVELS = ["READ", "USE", "EDIT", "MANAGE"] as const;
export type Level = (typeof LEVELS)[number];

const RANK: Record<string, number> = { READ: 1, USE: 2, EDIT: 3, MANAGE: 4 };

/** Whether `level` (any level name the server gives) includes `need`. */
export function allows(level: string | null | undefined, need: Level): boolean {
  return (RANK[level ?? ""] ?? 0) >= RANK[need]!;
}

const NOUN: Record<ResourceType, string> = {
  experiment: "experiment",
  registered_model: "model",
  prompt: "prompt",
  webhook: "webhook",
  workspace: "workspace",
  evaluation_dataset: "dataset",
};

/** The caller's rights on one resource. */
export interface Can {
  /** False while the server's answer is on its way (controls stay disabled). */
  known: boolean;
  /** The level the server gave (null: not asked: auth off, an admin, or no answer). */
  level: string | null;
  /** Who has access, for callers who may manage the resource (the sharing panel). */
  grants: AccessGrant[] | undefined;
  /** "" when the caller may do it (`need`), else why not, for a tooltip ("You need EDIT ..."). */
  why: (need: Level, what: string) => string;
  /** Shorthand: `why(need, ...) === ""`. */
  may: (need: Level) => boolean;
}

/** A `Can` that allows everything (auth off, admins). */
export const CAN_ALL: Can = { known: true, level: null, grants: undefined, why: () => "", may: () => true };

/**
 * The caller's rights on `resourceType` `id`. With auth off, or for an admin, everything is
 * allowed without a request. When the server cannot say (an error), the UI allows and lets the
 * server decide, so a failing check never locks anyone out of what they may do. `enabled`
 * false delays the question (e.g. a list row not scrolled into view yet).
 */
export function useCan(resourceType: ResourceType, id: string, enabled = true): Can {
  const session = useSession();
  const ask = session.status === "signedIn" && !session.user?.is_admin;
  // A workspace is asked alone; other resources are batched (one request for a list's rows).
  const alone = resourceType === "workspace";
  const single = useAccess(resourceType, id, ask && enabled && alone);
  const batched = useAccessLevel(resourceType, id, ask && enabled && !alone);
  const access = alone ? single : batched;
  if (!ask) return CAN_ALL;
  if (access.isError) return { ...CAN_ALL, known: false };
  const level = access.data?.permission ?? null;
  const known = access.data !== undefined;
  const why = (need: Level, what: string) => {
    if (!known) return "Checking your permissions…";
    if (allows(level, need)) return "";
    return `You need ${need} on this ${NOUN[resourceType]} to ${what}; you have ${level ?? "no permission"}.`;
  };
  const grants = alone ? single.data?.grants : undefined;
  return { known, level, grants, why, may: (need) => known && allows(level, need) };
}

/**
 * Whether the caller may create experiments, models and prompts in the current workspace
 * (membership: USE on the workspace), as a `Can` on the workspace.
 */
export function useCanCreate(): Can {
  const session = useSession();
  return useCan("workspace", session.workspace);
}
