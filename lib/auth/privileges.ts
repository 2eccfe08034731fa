/**
 * The single role → privilege table (SPEC "Who uses it"). Every server action and
 * protected page checks one of these on the server with `assertCan`.
 *
 * `mailbox:read` and `mailbox:send` for members are limited to their own mailboxes
 * and the queues they own: the domain functions add that condition to the query.
 */
export const roles = ["admin", "mailbox_manager", "member"] as const;
export type Role = (typeof roles)[number];

export const privileges = {
  "mailbox:read": ["admin", "mailbox_manager"],
  "mailbox:write": ["admin", "mailbox_manager"],
  "mailbox:approve": ["admin"],
  "mailbox:test": ["admin", "mailbox_manager"],
  "mailbox:read-own": ["admin", "mailbox_manager", "member"],
  /** Queues (shared mailboxes such as support@) are created by admins only. */
  "queue:create": ["admin"],
  "profile:read": ["admin", "mailbox_manager"],
  "profile:write": ["admin"],
  "settings:read": ["admin"],
  "settings:write": ["admin"],
  "user:admin": ["admin"],
  "alert:read-all": ["admin"],
  "alert:read-own": ["admin", "mailbox_manager", "member"],
  /** The sync monitoring dashboard (/monitoring): read-only. */
  "monitoring:read": ["admin", "mailbox_manager"],
} as const satisfies Record<string, readonly Role[]>;

export type Privilege = keyof typeof privileges;

/** True when `role` holds `privilege` in the table above. */
export function roleHas(role: Role, privilege: Privilege): boolean {
  return (privileges[privilege] as readonly Role[]).includes(role);
}
