// README is the operator's only guide: it names every setting the code reads and
// points only at files inside the repository.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect, test } from "vitest";

const root = join(__dirname, "..", "..");
const readme = readFileSync(join(root, "README.md"), "utf8");

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "node_modules") files(path, out);
    } else if (/\.(ts|tsx|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

test("every environment variable the code reads is in README", () => {
  // lib/env.ts declares them (zod schema keys); scripts and config read a few directly.
  const envSource = readFileSync(join(root, "lib", "env.ts"), "utf8");
  const declared = [...envSource.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]);
  const sources = ["lib", "scripts", "workers", "app", "db"].flatMap((d) => files(join(root, d))).concat([join(root, "playwright.config.ts"), join(root, "next.config.js")]);
  const read = sources.flatMap((f) => [...readFileSync(f, "utf8").matchAll(/process\.env\.([A-Z][A-Z0-9_]{2,})/g)].map((m) => m[1]));
  const names = [...new Set([...declared, ...read])].filter((n) => !n.startsWith("NODE_") && !n.startsWith("NEXT_") && !n.startsWith("MAILROOM_VITEST"));
  expect(declared.length).toBeGreaterThan(10);
  const missing = names.filter((n) => !readme.includes(`\`${n}\``));
  expect(missing, "variables the code reads that README does not name").toEqual([]);
});

test("README's links and paths stay inside the repository", () => {
  expect(readme, "a path outside the repository").not.toMatch(/(^|[\s`(])\.\.\//m);
  for (const [, target] of readme.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue; // an outside web page, not a file
    expect(existsSync(join(dirname(join(root, "README.md")), target)), `README links to ${target}`).toBe(true);
  }
});
