import { en as discoveryMessages } from "@/lib/i18n/messages/discovery";
import { en as oauthMessages } from "@/lib/i18n/messages/oauth";
import { en as profileMessages } from "@/lib/i18n/messages/profiles";
import type { Translate } from "@/lib/i18n/translate";

const commonKeys = ["common.save", "common.cancel", "common.edit", "common.fixFields", "common.picker.searchUsers", "common.picker.noMatches"] as const;

/** Every profile page text in the request's language, as plain strings a client component can take. */
export type ProfileText = Record<keyof typeof profileMessages | keyof typeof oauthMessages | keyof typeof discoveryMessages | (typeof commonKeys)[number], string>;

/** The profile pages' texts for `t`'s language. */
export function profileText(t: Translate): ProfileText {
  const keys = [...(Object.keys(profileMessages) as (keyof typeof profileMessages)[]), ...(Object.keys(oauthMessages) as (keyof typeof oauthMessages)[]), ...(Object.keys(discoveryMessages) as (keyof typeof discoveryMessages)[]), ...commonKeys];
  return Object.fromEntries(keys.map((k) => [k, t(k)])) as ProfileText;
}
