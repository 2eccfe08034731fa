import path from "node:path";
import { describe, expect, it } from "vitest";
import { countPlaywright, countVitest, summarize } from "@/scripts/test-report";

// Real reports of vitest 4.1 and Playwright 1.65 on small throwaway suites, trimmed of
// timings and locations (see each describe for what the suite did).
const fixture = (name: string) => path.join(import.meta.dirname, "fixtures", name);
const noFile = fixture("absent.json");

describe("vitest report", () => {
  // Five files: a describe whose beforeAll throws (2 tests), a file-level beforeAll that
  // throws (1 test), an import that fails, a passing file with one it.skip, a passing file.
  it("a suite whose beforeAll or import failed is a failure, though vitest marks its tests skipped", () => {
    const counts = countVitest(fixture("vitest-suite-failed.json"), noFile)!;
    expect(counts).toMatchObject({ passed: 2, failed: 3, skipped: 4 });
    expect(counts.problems.join("\n")).toMatch(/beforeall\.test\.ts failed outside its tests \(2 test\(s\) did not run\)/);
    expect(counts.problems.join("\n")).toMatch(/toplevel-beforeall\.test\.ts failed outside its tests \(1 test\(s\) did not run\): db down/);
    expect(counts.problems.join("\n")).toMatch(/import\.test\.ts failed outside its tests \(0 test\(s\) did not run\): Cannot find module/);
    const { lines, exitCode } = summarize([{ name: "vitest", counts, exitCode: 1 }], 0);
    expect(lines.at(-1)).toBe("2 passed, 3 failed, 4 skipped");
    expect(exitCode).toBe(1);
  });

  // Two passing tests and one it.skip; one test leaves a timer that throws after it ended.
  it("an unhandled error is a failure, though every test passed", () => {
    const counts = countVitest(fixture("vitest-unhandled-error.json"), fixture("vitest-unhandled-error.errors.json"))!;
    expect(counts).toEqual({ passed: 2, failed: 1, skipped: 1, problems: ["vitest: unhandled error: Error: late boom"] });
    const { lines, exitCode } = summarize([{ name: "vitest", counts, exitCode: 1 }], 0);
    expect(lines).toEqual(["vitest: unhandled error: Error: late boom", "2 passed, 1 failed, 1 skipped"]);
    expect(exitCode).toBe(1);
  });

  it("a non-zero exit with a report that shows no failure still fails the run", () => {
    const counts = countVitest(fixture("vitest-unhandled-error.json"), noFile)!;
    expect(counts).toEqual({ passed: 2, failed: 0, skipped: 1, problems: [] });
    const { lines, exitCode } = summarize([{ name: "vitest", counts, exitCode: 1 }], 0);
    expect(lines).toEqual(["vitest exited with code 1 although its report shows no failure", "2 passed, 1 failed, 1 skipped"]);
    expect(exitCode).toBe(1);
  });

  it("passing tests with a zero exit are green, skips are counted and shown", () => {
    const counts = countVitest(fixture("vitest-unhandled-error.json"), noFile)!;
    const { lines, exitCode } = summarize([{ name: "vitest", counts, exitCode: 0 }], 0);
    expect(lines).toEqual(["2 passed, 0 failed, 1 skipped"]);
    expect(exitCode).toBe(0);
  });
});

describe("Playwright report", () => {
  // A passing test, a test.skip, and a describe whose beforeAll throws (2 tests: the
  // first fails with the error, the second does not run).
  it("a spec whose setup throws fails; the test that did not run is skipped", () => {
    const counts = countPlaywright(fixture("playwright-setup-failed.json"))!;
    expect(counts).toEqual({ passed: 1, failed: 1, skipped: 2, problems: [] });
    const { lines, exitCode } = summarize([{ name: "playwright", counts, exitCode: 1 }], 0);
    expect(lines).toEqual(["1 passed, 1 failed, 2 skipped"]);
    expect(exitCode).toBe(1);
  });

  // A spec file that throws while loading: Playwright runs nothing and reports the error.
  it("a spec that cannot load is a failure, with its error shown", () => {
    const counts = countPlaywright(fixture("playwright-load-error.json"))!;
    expect(counts).toEqual({ passed: 0, failed: 1, skipped: 0, problems: ["playwright: Error: spec cannot load"] });
    const { lines, exitCode } = summarize([{ name: "playwright", counts, exitCode: 1 }], 0);
    expect(lines.at(-1)).toBe("0 passed, 1 failed, 0 skipped");
    expect(exitCode).toBe(1);
  });
});

describe("the whole run", () => {
  it("a runner that wrote no report is a failure, and both runners' counts add up", () => {
    const vitest = countVitest(fixture("vitest-unhandled-error.json"), noFile);
    const playwright = countPlaywright(noFile);
    expect(playwright).toBeUndefined();
    const { lines, exitCode } = summarize(
      [
        { name: "vitest", counts: vitest, exitCode: 0 },
        { name: "playwright", counts: playwright, exitCode: 1 },
      ],
      0,
    );
    expect(lines).toEqual(["playwright wrote no report (exit code 1)", "2 passed, 1 failed, 1 skipped"]);
    expect(exitCode).toBe(1);
  });

  it("a failed lint or build step counts, and a run where nothing passed is not green", () => {
    const vitest = countVitest(fixture("vitest-unhandled-error.json"), noFile);
    const withStep = summarize([{ name: "vitest", counts: vitest, exitCode: 0 }], 1);
    expect(withStep.lines.at(-1)).toBe("2 passed, 1 failed, 1 skipped");
    expect(withStep.exitCode).toBe(1);
    const empty = summarize([], 0);
    expect(empty.lines).toEqual(["0 passed, 0 failed, 0 skipped"]);
    expect(empty.exitCode).toBe(1);
  });
});
