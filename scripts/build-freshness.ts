import fs from "node:fs";
import path from "node:path";

const SOURCES = ["app", "components", "lib", "db", "proxy.ts", "next.config.js", "postcss.config.mjs", "package-lock.json", "tsconfig.json"];

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/** True when `marker` (a file a build writes last) is missing, or one of `sources` (relative to root) changed after it. */
export function isStaleSince(root: string, marker: string, sources: string[]): boolean {
  if (!fs.existsSync(marker)) return true;
  const built = fs.statSync(marker).mtimeMs;
  return sources.some((s) => newestMtime(path.join(root, s)) > built);
}

/** True when there is no production build, or a source file changed after it was made. */
export function buildIsStale(root: string): boolean {
  return isStaleSince(root, path.join(root, ".next", "BUILD_ID"), SOURCES);
}
