import { expect, test } from "vitest";
import { catalog } from "../../../lib/i18n/catalog";
import { classifyProviderError } from "../../../lib/oauth/classify-provider-error";
import { readOutcomeQuery, outcomeQuery, signInOutcome, signInOutcomeCodes } from "../../../lib/oauth/sign-in-outcome";

test.each([
  ["invalid_request", "AADSTS65001: The user or administrator has not consented to use the application", "admin_consent_required"],
  ["invalid_client", "AADSTS7000215: Invalid client secret provided.", "wrong_secret"],
  ["invalid_client", "AADSTS7000222: The provided client secret keys for app are expired.", "expired_secret"],
  ["invalid_request", "AADSTS50011: The redirect URI specified in the request does not match", "redirect_uri_mismatch"],
  ["redirect_uri_mismatch", "", "redirect_uri_mismatch"],
  ["access_denied", "The user denied access.", "access_denied"],
  ["unauthorized_client", "Client is unauthorized to retrieve access tokens using this method", "unauthorized_client"],
  ["invalid_grant", "Bad Request", "invalid_grant"],
  ["invalid_client", "Unauthorized", "invalid_client"],
  ["temporarily_unavailable", null, "unavailable"],
  ["weird_thing", null, "unknown"],
] as const)("%s / %s → %s", (error, description, expected) => {
  expect(classifyProviderError(error, description)).toBe(expected);
});

test("every outcome has an English and a Japanese message, and survives the trip through the page's URL", () => {
  for (const code of signInOutcomeCodes) {
    expect(catalog.en[`oauth.result.${code}`], code).toBeTruthy();
    expect(catalog.ja[`oauth.result.${code}`], code).toBeTruthy();
  }
  const outcome = signInOutcome("accountMismatch", { account: "bob@example.net", mailbox: "alice@example.com" });
  expect(readOutcomeQuery(Object.fromEntries(outcomeQuery(outcome)))).toEqual(outcome);
  // A crafted link can only pick one of our messages, with known parameters.
  expect(readOutcomeQuery({ oauth: "common.genericError" })).toBeNull();
  expect(readOutcomeQuery({ oauth: "connected", "oauth.evil": "x" })).toEqual(signInOutcome("connected", {}));
});
