import { defineConfig } from "@playwright/test";

// scripts/test.ts starts Postgres, makes a fresh database and sets these.
const port = Number(process.env.E2E_PORT || 3100);
const baseURL = `http://127.0.0.1:${port}`;
const serverEnv = {
  ...(process.env as Record<string, string>),
  DATABASE_URL: process.env.E2E_DATABASE_URL ?? "",
  PORT: String(port),
  // /metrics is off without a token; tests/e2e/monitoring.spec.ts scrapes with this one.
  MAILROOM_METRICS_TOKEN: process.env.MAILROOM_METRICS_TOKEN || "e2e-metrics-token-0123456789",
  // The specs change data and look at the dashboard at once; its sharing is tested in tests/integration/monitoring.
  MAILROOM_DASHBOARD_MAX_AGE_MS: "0",
};

export default defineConfig({
  testDir: "tests/e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: ".reports/playwright.json" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      // Debian's Chromium; Playwright never downloads a browser here.
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  projects: [
    // First-run setup needs the empty database, so it runs before everything else.
    { name: "first-run", testMatch: /first-run\.spec\.ts/ },
    { name: "app", testIgnore: /first-run\.spec\.ts/, dependencies: ["first-run"] },
  ],
  webServer: [
    {
      // The built web server, as npm start runs it.
      command: `node --import tsx scripts/build-processes.ts --if-stale web && exec node dist/web/index.mjs -p ${port} -H 127.0.0.1`,
      url: `${baseURL}/sign-in`,
      reuseExistingServer: false,
      timeout: 120_000,
      env: serverEnv,
      stdout: "pipe",
    },
    {
      // The built worker, as npm start runs it (rebuilt first when a source changed: scripts/build-processes.ts).
      command: "node --import tsx scripts/build-processes.ts --if-stale worker && exec node dist/worker/index.cjs",
      wait: { stdout: /worker started/ },
      reuseExistingServer: false,
      timeout: 60_000,
      env: serverEnv,
    },
  ],
});
