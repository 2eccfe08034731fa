import { tokenRefreshesTotal } from "./process-metrics";

/**
 * Counts one OAuth token refresh for /metrics (mailroom_token_refreshes_total):
 * call it wherever a refresh ends, with "failed" when the provider refused or
 * could not be reached. Cheap and never throws.
 */
export function countTokenRefresh(result: "ok" | "failed", provider = "unknown"): void {
  tokenRefreshesTotal.inc({ result, provider });
}
