// Discovers the app's server actions and routes from the source, so a new one that the
// security suites do not know about fails them instead of going untested.
import fs from "node:fs";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "../../..");

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    else if (/\.(ts|tsx)$/.test(entry.name)) out.push(p);
  }
  return out;
}

/** True when the file starts with the "use server" directive (after comments). */
function isServerActionFile(source: string): boolean {
  const body = source.replace(/^(\s*(\/\/[^\n]*\n|\/\*[\s\S]*?\*\/))*/, "").trimStart();
  return /^["']use server["']/.test(body);
}

/**
 * Every exported server action as "<file relative to the repo>#<export>": exported async
 * functions (and exported async arrow consts) of files with a top-level "use server", plus
 * functions with an inline "use server" in any app/, components/ or lib/ file.
 */
export function discoverServerActions(): string[] {
  const found = new Set<string>();
  for (const file of ["app", "components", "lib"].flatMap((d) => walk(path.join(root, d)))) {
    const src = fs.readFileSync(file, "utf8");
    const rel = path.relative(root, file).split(path.sep).join("/");
    if (isServerActionFile(src)) {
      for (const m of src.matchAll(/export\s+(?:default\s+)?async\s+function\s+(\w+)/g)) found.add(`${rel}#${m[1]}`);
      for (const m of src.matchAll(/export\s+const\s+(\w+)\s*=\s*async\b/g)) found.add(`${rel}#${m[1]}`);
    } else {
      // An inline action: a function whose body begins with "use server".
      for (const m of src.matchAll(/(?:async\s+function\s+(\w+)\s*\([^)]*\)[^{]*|const\s+(\w+)\s*=\s*async\s*\([^)]*\)\s*(?::[^=]+)?=>\s*)\{\s*["']use server["']/g)) {
        found.add(`${rel}#${m[1] ?? m[2]}`);
      }
    }
  }
  return [...found].sort();
}

/** Every page and route handler as its URL pattern, e.g. "/mail/[mailboxId]/[emailId]" (route groups removed). */
export function discoverRoutes(): Array<{ pattern: string; kind: "page" | "route"; file: string }> {
  return walk(path.join(root, "app"))
    .filter((f) => /[/\\](page\.tsx|route\.ts)$/.test(f))
    .map((f) => {
      const rel = path.relative(path.join(root, "app"), f).split(path.sep).join("/");
      const segments = rel.split("/").slice(0, -1).filter((s) => !/^\(.*\)$/.test(s));
      return { pattern: `/${segments.join("/")}`, kind: rel.endsWith("route.ts") ? ("route" as const) : ("page" as const), file: `app/${rel}` };
    })
    .sort((a, b) => a.pattern.localeCompare(b.pattern));
}
