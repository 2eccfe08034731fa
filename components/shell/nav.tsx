import Link from "next/link";
import { can, type Actor } from "@/lib/auth/actor";
import type { Privilege } from "@/lib/auth/privileges";
import type { MessageKey } from "@/lib/i18n/catalog";
import type { Translate } from "@/lib/i18n/translate";

const items: { href: string; label: MessageKey; privilege: Privilege }[] = [
  { href: "/mailboxes", label: "nav.mailboxes", privilege: "mailbox:read-own" },
  { href: "/profiles", label: "nav.profiles", privilege: "profile:read" },
  { href: "/settings", label: "nav.settings", privilege: "settings:read" },
  { href: "/alerts", label: "nav.alerts", privilege: "alert:read-own" },
  { href: "/monitoring", label: "nav.monitoring", privilege: "monitoring:read" },
  { href: "/users", label: "nav.users", privilege: "user:admin" },
  { href: "/basic-auth", label: "nav.basicAuth", privilege: "profile:write" },
];

/** The navigation, showing only what the actor may use (pages check again on the server). */
export function Nav({ actor, t, badges = {} }: { actor: Actor; t: Translate; badges?: Partial<Record<string, number>> }) {
  return (
    <nav aria-label="main" className="flex flex-wrap gap-1">
      {items
        .filter((i) => can(actor, i.privilege))
        .map((i) => (
          <Link key={i.href} href={i.href} className="rounded px-3 py-2 text-sm text-slate-100 hover:bg-slate-700">
            {t(i.label)}
            {badges[i.href] ? (
              <span data-testid={`badge-${i.href.slice(1)}`} className="ml-1 rounded-full bg-red-600 px-1.5 text-xs">
                {badges[i.href]}
              </span>
            ) : null}
          </Link>
        ))}
    </nav>
  );
}
