import { loadProfilePolicy } from "@/lib/profiles/load-profile-policy";
import type { ProfilePolicy } from "@/lib/profiles/profile-input";

/**
 * Whether the profile form must render user name and password disabled: the
 * request came over plain HTTP from another machine and the deployment does not
 * allow credentials there (MAILROOM_ALLOW_CREDENTIALS_OVER_HTTP). The actions
 * refuse typed credentials in the same case (parseProfileInput), whatever the form did.
 */
export function credentialsLocked(secureChannel: boolean, policy: ProfilePolicy = loadProfilePolicy()): boolean {
  return !secureChannel && !policy.allowCredentialsOverHttp;
}
