import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { buildIsStale } from "@/scripts/build-freshness";

// npm start (and npm test before the browser tests) build only when this says so.
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function project(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "mailroom-fresh-"));
  dirs.push(root);
  fs.mkdirSync(path.join(root, "lib", "deep"), { recursive: true });
  fs.writeFileSync(path.join(root, "lib", "deep", "a.ts"), "export {};\n");
  fs.writeFileSync(path.join(root, "package-lock.json"), "{}\n");
  return root;
}
const at = (file: string, secondsAgo: number) => {
  const t = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(file, t, t);
};
function build(root: string, secondsAgo: number): void {
  fs.mkdirSync(path.join(root, ".next"), { recursive: true });
  fs.writeFileSync(path.join(root, ".next", "BUILD_ID"), "x");
  at(path.join(root, ".next", "BUILD_ID"), secondsAgo);
}

test("no build at all is stale", () => {
  expect(buildIsStale(project())).toBe(true);
});

test("a build newer than every source is fresh; a source file changed after it, however deep, makes it stale", () => {
  const root = project();
  for (const p of ["lib/deep/a.ts", "lib/deep", "lib", "package-lock.json"]) at(path.join(root, p), 100);
  build(root, 10);
  expect(buildIsStale(root)).toBe(false);
  at(path.join(root, "lib", "deep", "a.ts"), 1);
  expect(buildIsStale(root)).toBe(true);
});

test("a changed lock file (new dependencies) makes the build stale; files outside the app's sources do not", () => {
  const root = project();
  for (const p of ["lib/deep/a.ts", "lib/deep", "lib", "package-lock.json"]) at(path.join(root, p), 100);
  build(root, 10);
  fs.mkdirSync(path.join(root, "tests"));
  fs.writeFileSync(path.join(root, "tests", "x.test.ts"), "");
  expect(buildIsStale(root)).toBe(false);
  at(path.join(root, "package-lock.json"), 1);
  expect(buildIsStale(root)).toBe(true);
});
