import { afterEach, expect, test, vi } from "vitest";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  vi.resetModules();
});

async function capture(level: string | undefined, write: (log: typeof import("../../lib/log").log) => void): Promise<string> {
  if (level) vi.stubEnv("LOG_LEVEL", level);
  let out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  const { log } = await import("../../lib/log");
  write(log);
  return out;
}

test("each line is JSON with time, level and message, and secrets under password-like keys are replaced", async () => {
  const out = await capture(undefined, (log) => log("info", "profile saved", { profile: { name: "p", password: "Hunter-2-secret", outgoingPasswordSealed: "v1.x" }, authorization: "Bearer t" }));
  const line = JSON.parse(out.trim());
  expect(line).toMatchObject({ level: "info", msg: "profile saved", profile: { name: "p", password: "[redacted]", outgoingPasswordSealed: "[redacted]" }, authorization: "[redacted]" });
  expect(out).not.toContain("Hunter-2-secret");
  expect(Date.parse(line.time)).not.toBeNaN();
});

test("LOG_LEVEL drops lines below it", async () => {
  const out = await capture("warn", (log) => {
    log("info", "quiet");
    log("warn", "loud");
  });
  expect(out).not.toContain("quiet");
  expect(out).toContain("loud");
});

test("secrets are found by their look as well: a failed query's parameters, sealed values, bcrypt hashes and tokens never reach the line", async () => {
  const sealed = "v1.k2025.AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB.Q2lwaGVydGV4dA";
  const hash = "$2b$12$" + "a".repeat(53);
  const jwt = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..c2Vzc2lvbg.Y2lwaGVy.dGFn";
  // What drizzle throws when a statement fails (DrizzleQueryError), wrapping Postgres's error.
  const failed = new Error(`Failed query: update "profiles" set "name" = $1, "password_sealed" = $2 where "id" = $3\nparams: Sales\u0000,${sealed},7d1c`, {
    cause: Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: "22021" }),
  });
  const out = await capture(undefined, (log) => {
    log("error", "action failed", { err: failed, note: `user hash ${hash}`, list: [sealed], header: `Bearer ${"t".repeat(40)}` });
    log("warn", `token ${jwt} refused`);
  });
  for (const secret of [sealed, hash, jwt, "t".repeat(40), "Sales"]) expect(out).not.toContain(secret);
  const line = JSON.parse(out.split("\n")[0]);
  // What helps an operator stays: the statement and the database's reason.
  expect(line.err.message).toContain('update "profiles" set "name" = $1');
  expect(line.err.cause).toMatchObject({ code: "22021", message: expect.stringContaining("invalid byte sequence") });
});
