import fs from "node:fs";
import path from "node:path";

/**
 * Counts for the summary line of `npm test`, read from the runners' JSON reports.
 * `problems` names what failed outside a test (a suite that could not start, an unhandled
 * error, a runner that crashed): each one is also counted in `failed`, so the line never
 * says "0 failed" while something did not run.
 */
export type Counts = { passed: number; failed: number; skipped: number; problems: string[] };

/** One runner of the run: its counts (undefined when it wrote no report) and its exit code. */
export type RunnerOutcome = { name: string; counts: Counts | undefined; exitCode: number };

const none = (): Counts => ({ passed: 0, failed: 0, skipped: 0, problems: [] });

function readJson(file: string): unknown {
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
}

type VitestFile = { name: string; status: string; message?: string; assertionResults: { status: string }[] };
type VitestReport = { numPassedTests?: number; numFailedTests?: number; numPendingTests?: number; numTodoTests?: number; numFailedTestSuites?: number; success?: boolean; testResults?: VitestFile[] };
/** Written by scripts/vitest-unhandled-reporter.ts: vitest's JSON report leaves these out. */
type VitestUnhandled = { unhandledErrors: { message: string }[] };

/**
 * vitest's JSON report plus the unhandled errors of the run. A file whose suite failed
 * (a beforeAll that threw, an import that failed) reports its tests as skipped and
 * `numFailedTests: 0`; it counts as one failure here.
 */
export function countVitest(reportFile: string, unhandledFile: string): Counts | undefined {
  const r = readJson(reportFile) as VitestReport | undefined;
  if (!r) return undefined;
  const counts: Counts = { passed: r.numPassedTests ?? 0, failed: r.numFailedTests ?? 0, skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0), problems: [] };
  for (const file of r.testResults ?? []) {
    if (file.status !== "failed" || file.assertionResults.some((a) => a.status === "failed")) continue;
    const skipped = file.assertionResults.filter((a) => a.status !== "passed").length;
    counts.problems.push(`vitest: ${path.relative(process.cwd(), path.resolve(file.name))} failed outside its tests (${skipped} test(s) did not run)${file.message ? `: ${file.message}` : ""}`);
  }
  const unhandled = (readJson(unhandledFile) as VitestUnhandled | undefined)?.unhandledErrors ?? [];
  for (const e of unhandled) counts.problems.push(`vitest: unhandled error: ${e.message}`);
  // Whatever else vitest itself calls a failure (a failed suite not tied to a file above).
  if (counts.problems.length === 0 && counts.failed === 0 && ((r.numFailedTestSuites ?? 0) > 0 || r.success === false)) {
    counts.problems.push(`vitest: the report says the run failed (${r.numFailedTestSuites ?? 0} failed suite(s)) with no failed test`);
  }
  counts.failed += counts.problems.length;
  return counts;
}

type PwTest = { status: string; expectedStatus: string; results: { status: string }[] };
type PwSuite = { title: string; specs?: { title: string; tests: PwTest[] }[]; suites?: PwSuite[] };
type PwReport = { suites?: PwSuite[]; errors?: { message?: string }[] };

/**
 * Playwright's JSON report, by each test's outcome: expected or flaky = passed, unexpected =
 * failed, skipped = skipped (that includes the tests that did not run after a beforeAll or a
 * dependency project failed; the failure itself is counted where it happened). Errors outside
 * any test (a spec that cannot load, a web server that does not start) count as failures.
 */
export function countPlaywright(reportFile: string): Counts | undefined {
  const r = readJson(reportFile) as PwReport | undefined;
  if (!r) return undefined;
  const counts = none();
  const walk = (s: PwSuite) => {
    for (const spec of s.specs ?? []) {
      for (const test of spec.tests) {
        if (test.status === "expected" || test.status === "flaky") counts.passed++;
        else if (test.status === "unexpected") counts.failed++;
        else counts.skipped++;
      }
    }
    for (const child of s.suites ?? []) walk(child);
  };
  for (const s of r.suites ?? []) walk(s);
  for (const e of r.errors ?? []) counts.problems.push(`playwright: ${(e.message ?? "error outside any test").split("\n")[0]}`);
  counts.failed += counts.problems.length;
  return counts;
}

/**
 * The last line of `npm test` and its exit code. A runner that wrote no report, or exited
 * non-zero while its report shows no failure, adds a failure of its own, so the line and the
 * exit code always agree. No passing test at all is a failure too.
 */
export function summarize(runners: RunnerOutcome[], failedSteps: number): { lines: string[]; exitCode: number } {
  const total = none();
  for (const runner of runners) {
    const c = runner.counts ?? none();
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
    total.problems.push(...c.problems);
    if (!runner.counts) {
      total.failed++;
      total.problems.push(`${runner.name} wrote no report (exit code ${runner.exitCode})`);
    } else if (runner.exitCode !== 0 && c.failed === 0) {
      total.failed++;
      total.problems.push(`${runner.name} exited with code ${runner.exitCode} although its report shows no failure`);
    }
  }
  total.failed += failedSteps;
  if (failedSteps) total.problems.push(`${failedSteps} step(s) failed before or outside the test runners (lint, type-check, build or a runner crash)`);
  const lines = [...total.problems, `${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`];
  return { lines, exitCode: total.failed > 0 || total.passed === 0 ? 1 : 0 };
}
