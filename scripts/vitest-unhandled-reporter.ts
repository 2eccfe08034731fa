/**
 * A vitest reporter that keeps what vitest's JSON report leaves out: the errors thrown
 * outside any test (a timer that throws after its test ended, an unhandled rejection).
 * vitest exits non-zero for them, and scripts/test-report.ts counts each one as a failure.
 * The output file is the `MAILROOM_VITEST_UNHANDLED` path, else nothing is written.
 */
import fs from "node:fs";

type Serialized = { message?: string; name?: string };

export default class UnhandledErrorsReporter {
  onTestRunEnd(_modules: unknown, unhandledErrors: readonly Serialized[], reason: string) {
    const file = process.env.MAILROOM_VITEST_UNHANDLED;
    if (!file) return;
    const errors = unhandledErrors.map((e) => ({ message: `${e.name ?? "Error"}: ${e.message ?? ""}` }));
    fs.writeFileSync(file, JSON.stringify({ reason, unhandledErrors: errors }, null, 2));
  }
}
