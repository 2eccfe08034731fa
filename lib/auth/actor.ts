import { AppError } from "../errors";
import { msg } from "../i18n/message";
import { roleHas, type Privilege, type Role } from "./privileges";

/** Who is acting: the signed-in user as the server knows them (never from the client). */
export type Actor = { id: string; email: string; name: string; role: Role };

/** Throws `AppError("forbidden")` unless `actor` holds `privilege`; `null` is a signed-out caller. */
export function assertCan(actor: Actor | null, privilege: Privilege): asserts actor is Actor {
  if (!actor) throw new AppError("unauthenticated", msg("error.signInRequired"));
  if (!roleHas(actor.role, privilege)) throw new AppError("forbidden", msg("error.forbidden"));
}

/** Whether `actor` holds `privilege` (for choosing what to show; actions still call assertCan). */
export function can(actor: Actor | null, privilege: Privilege): boolean {
  return !!actor && roleHas(actor.role, privilege);
}
