// Plain HTTP from another machine, as the profile pages and actions see it, with
// MAILROOM_ALLOW_CREDENTIALS_OVER_HTTP unset (the flag set: insecure-channel-allowed.test.ts;
// the environment is read once per process, so each setting has its own file).
// The browser tests reach the app at 127.0.0.1, which is secure, so this path is covered here.
import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { credentialsLocked } from "../../../app/(app)/profiles/credential-lock";
import { profiles } from "../../../db/schema/profiles";
import { generateSecretKey } from "../../../lib/crypto/generate-secret-key";
import { AppError } from "../../../lib/errors";
import { createProfile } from "../../../lib/profiles/create-profile";
import { getProfileConnection } from "../../../lib/profiles/get-profile-connection";
import { insecureChannelMessage } from "../../../lib/profiles/profile-input";
import { updateProfile } from "../../../lib/profiles/update-profile";
import { parseTrustedProxies } from "../../../lib/server/resolve-forwarded";
import { isSecureChannel } from "../../../lib/server/secure-channel";
import { stampForwardedHeaders } from "../../../lib/server/stamp-forwarded-headers";
import { createTestDb, type TestDb } from "../../harness/db";
import { insertActors, profileForm, type Actors } from "./test-actors";
import { english } from "../../harness/english";

// isSecureChannel reads the request's headers through next/headers: here they are the test's.
let requestHeaders = new Headers();
vi.mock("next/headers", () => ({ headers: async () => requestHeaders }));

vi.stubEnv("MAILROOM_SECRET_KEY", generateSecretKey("test"));
vi.stubEnv("MAILROOM_ALLOW_CREDENTIALS_OVER_HTTP", "0");

let t: TestDb;
let a: Actors;
beforeAll(async () => {
  t = await createTestDb();
  a = await insertActors(t.db);
});
afterAll(async () => {
  await t?.close();
  vi.unstubAllEnvs();
});

/** The form as the browser submits it: FormData, without the fields the page rendered disabled. */
function submitted(values: Record<string, string>, disabled: string[] = []): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(values)) if (!disabled.includes(k)) fd.set(k, v);
  return fd;
}

/**
 * The headers the app sees for a request from `peer` carrying `sent`, after the web
 * server's rewrite (scripts/web-server.ts calls stampForwardedHeaders on every request).
 */
function seenByApp(peer: string, sent: Record<string, string>, trust: string | undefined = undefined): Headers {
  const req = { socket: { remoteAddress: peer }, headers: { ...sent } } as unknown as IncomingMessage;
  stampForwardedHeaders(req, parseTrustedProxies(trust));
  return new Headers(req.headers as Record<string, string>);
}

test("a request is secure over HTTPS or from this machine, and not over plain HTTP from elsewhere, whatever headers the client sends", async () => {
  const cases: Array<[string, Record<string, string>, string | undefined, boolean]> = [
    ["10.0.0.5", { host: "mail.example.com" }, undefined, false],
    ["127.0.0.1", { host: "127.0.0.1:3000" }, undefined, true],
    ["::1", { host: "[::1]:3000" }, undefined, true],
    ["::ffff:127.0.0.1", { host: "localhost:3000" }, undefined, true],
    // Forged by a client on another machine: neither makes plain HTTP secure.
    ["10.0.0.5", { host: "mail.example.com", "x-forwarded-proto": "https" }, undefined, false],
    ["10.0.0.5", { host: "localhost:3000" }, undefined, false],
    ["10.0.0.5", { host: "mail.example.com", "x-forwarded-for": "127.0.0.1" }, undefined, false],
    // Behind a trusted proxy, its word counts: the nearest value, the client's address.
    ["10.0.0.1", { host: "mail.example.com", "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9" }, "10.0.0.1", true],
    ["10.0.0.1", { host: "mail.example.com", "x-forwarded-proto": "https, http", "x-forwarded-for": "203.0.113.9" }, "10.0.0.0/24", false],
    ["127.0.0.1", { host: "mail.example.com", "x-forwarded-for": "203.0.113.9" }, "1", false],
    // A proxy not in the list is a client like any other.
    ["10.0.0.2", { host: "mail.example.com", "x-forwarded-proto": "https" }, "10.0.0.1", false],
  ];
  for (const [peer, sent, trust, secure] of cases) {
    requestHeaders = seenByApp(peer, sent, trust);
    expect(await isSecureChannel(), JSON.stringify({ peer, sent, trust })).toBe(secure);
  }
});

test("without the flag, the form disables credentials over plain HTTP only", () => {
  expect(credentialsLocked(false)).toBe(true);
  expect(credentialsLocked(true)).toBe(false);
});

test("without the flag, credentials typed over plain HTTP are refused on every credential field, and nothing is stored", async () => {
  requestHeaders = seenByApp("10.0.0.5", { host: "mail.example.com" });
  const secureChannel = await isSecureChannel();
  const values = profileForm({ name: "Typed over HTTP", useSameForOutgoing: "", outgoingUserName: "smtp-user", outgoingPassword: "Smtp-Passw0rd" });
  const err = await createProfile(t.db, a.admin, { values: submitted(values), secureChannel }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  const { fieldErrors } = err as AppError;
  for (const field of ["userName", "password", "outgoingUserName", "outgoingPassword"]) {
    expect(fieldErrors[field], field).toEqual([insecureChannelMessage]);
  }
  expect(english(insecureChannelMessage)).toMatch(/plain HTTP.*HTTPS.*MAILROOM_ALLOW_CREDENTIALS_OVER_HTTP=1/);
  expect(await t.db.select().from(profiles)).toEqual([]);
});

test("without the flag, an edit over plain HTTP from the disabled form keeps the stored credentials and saves the rest", async () => {
  const created = await createProfile(t.db, a.admin, {
    values: profileForm({ name: "Edited over HTTP", useSameForOutgoing: "", outgoingUserName: "smtp-user", outgoingPassword: "Smtp-Passw0rd" }),
    secureChannel: true,
  });
  requestHeaders = seenByApp("10.0.0.5", { host: "mail.example.com" });
  const edited = await updateProfile(t.db, a.admin, {
    id: created.id,
    // What the page sends with its credential inputs disabled: no user names, no passwords.
    values: submitted(profileForm({ name: "Edited over HTTP", useSameForOutgoing: "", description: "changed over http", maxConnections: "4" }), [
      "userName",
      "password",
      "outgoingUserName",
      "outgoingPassword",
    ]),
    secureChannel: await isSecureChannel(),
  });
  expect(edited).toMatchObject({ description: "changed over http", maxConnections: 4, userName: "relay@example.com", outgoingUserName: "smtp-user", passwordSet: true, outgoingPasswordSet: true });
  const connection = await getProfileConnection(t.db, { id: created.id });
  expect(connection.incoming.credentials).toEqual({ user: "relay@example.com", pass: "Corr3ct-Horse-Battery" });
  expect(connection.outgoing.credentials).toEqual({ user: "smtp-user", pass: "Smtp-Passw0rd" });

  // A new password slipped past the disabled input is still refused, and the stored one stays.
  const err = await updateProfile(t.db, a.admin, {
    id: created.id,
    values: submitted(profileForm({ name: "Edited over HTTP", useSameForOutgoing: "", outgoingUserName: "smtp-user", password: "Sneaked-In-1" })),
    secureChannel: false,
  }).catch((e: unknown) => e);
  expect((err as AppError).fieldErrors.password).toEqual([insecureChannelMessage]);
  expect((await getProfileConnection(t.db, { id: created.id })).incoming.credentials?.pass).toBe("Corr3ct-Horse-Battery");
});
