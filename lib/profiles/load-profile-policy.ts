import { allowedPorts, env, type Env } from "../env";
import type { ProfilePolicy } from "./profile-input";

/** The deployment's profile rules from the environment: the outbound port policy and the insecure-channel flag. */
export function loadProfilePolicy(e: Env = env()): ProfilePolicy {
  return { allowedPorts: allowedPorts(e), allowCredentialsOverHttp: e.MAILROOM_ALLOW_CREDENTIALS_OVER_HTTP === "1" };
}
