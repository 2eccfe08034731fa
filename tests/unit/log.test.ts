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
