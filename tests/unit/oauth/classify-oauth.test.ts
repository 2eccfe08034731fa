import { expect, test } from "vitest";
import { classifyMailError, type MailErrorContext } from "../../../lib/mail/errors";
import { OAuthError } from "../../../lib/oauth/oauth-error";
import { english } from "../../harness/english";

const smtp: MailErrorContext = { direction: "outgoing", protocol: "smtp", host: "smtp.office365.com", port: 587, tls: false, credentialsFrom: "mailbox" };
const nodemailerAuth = (response: string) => Object.assign(new Error(`Invalid login: ${response}`), { code: "EAUTH", responseCode: Number(response.slice(0, 3)), response, command: "AUTH XOAUTH2" });

test("a token the mail server refuses is permanent with a hint, not 'check the password'", () => {
  const e = classifyMailError(nodemailerAuth("535 5.7.3 Authentication unsuccessful"), { ...smtp, oauth: true });
  expect([e.kind, e.code]).toEqual(["permanent", "oauth_refused_by_server"]);
  expect(english(e.message)).toMatch(/refused the OAuth access token/);
  const imap = classifyMailError(Object.assign(new Error("Command failed"), { authenticationFailed: true, serverResponseCode: "AUTHENTICATIONFAILED" }), { ...smtp, direction: "incoming", protocol: "imap", port: 993, oauth: true });
  expect(imap.code).toBe("oauth_refused_by_server");
});

test("basic authentication switched off (550 5.7.30) tells the admin to use OAuth 2.0", () => {
  const e = classifyMailError(nodemailerAuth("550 5.7.30 Basic authentication is not supported for Client Submission."), smtp);
  expect([e.kind, e.code, e.field, e.form]).toEqual(["permanent", "oauth_basic_auth_disabled", "outgoingAuthMethod", "profile"]);
});

test("token failures classify by their own kind and name the form to fix", () => {
  const dead = classifyMailError(new OAuthError("invalid_grant", "permanent", null, "x"), { ...smtp, provider: "google" });
  expect([dead.kind, dead.code, dead.form]).toEqual(["permanent", "oauth_invalid_grant", "mailbox"]);
  expect(english(dead.message)).toMatch(/Google/);
  const secret = classifyMailError(new OAuthError("secret_expired", "permanent", "oauthClientSecret", "x"), smtp);
  expect([secret.field, secret.form]).toEqual(["oauthClientSecret", "profile"]);
  expect(english(secret.message)).toMatch(/Client secret/);
  const down = classifyMailError(new OAuthError("unavailable", "transient", null, "x"), smtp);
  expect(down.kind).toBe("transient");
});
