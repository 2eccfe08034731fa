import fs from "node:fs";

export type Counts = { passed: number; failed: number };

/** Passed and failed tests from vitest's JSON reporter (none when the file is missing). */
export function countVitest(file: string): Counts {
  if (!fs.existsSync(file)) return { passed: 0, failed: 0 };
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  // A file that failed to load has no test results but counts as a failure.
  const brokenFiles = (r.testResults ?? []).filter((f: { status: string; assertionResults: unknown[] }) => f.status === "failed" && f.assertionResults.length === 0).length;
  return { passed: r.numPassedTests ?? 0, failed: (r.numFailedTests ?? 0) + brokenFiles };
}

type PwSuite = { specs?: { tests: { results: { status: string }[]; status?: string }[] }[]; suites?: PwSuite[] };

/** Passed and failed tests from Playwright's JSON reporter; a flaky pass counts as passed. */
export function countPlaywright(file: string): Counts {
  if (!fs.existsSync(file)) return { passed: 0, failed: 0 };
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  const counts = { passed: 0, failed: 0 };
  const walk = (s: PwSuite) => {
    for (const spec of s.specs ?? []) {
      for (const test of spec.tests) {
        const last = test.results[test.results.length - 1]?.status;
        if (last === "passed") counts.passed++;
        else if (last && last !== "skipped") counts.failed++;
      }
    }
    for (const child of s.suites ?? []) walk(child);
  };
  for (const s of r.suites ?? []) walk(s);
  // Errors outside any test (a web server that did not start) count as failures.
  counts.failed += (r.errors ?? []).length;
  return counts;
}
