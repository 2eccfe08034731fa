import path from "node:path";
import { ESLint } from "eslint";
import { expect, test } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const eslint = new ESLint({ cwd: root });

async function problems(filePath: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

test("domain code (lib/, db/, workers/) may not import Next.js, next-auth, server-only or the UI", async () => {
  expect(await problems("lib/mailboxes/x.ts", 'import { redirect } from "next/navigation";\nexport const r = redirect;\n')).toHaveLength(1);
  expect(await problems("db/x.ts", 'import NextAuth from "next-auth";\nexport const n = NextAuth;\n')).toHaveLength(1);
  expect(await problems("workers/x.ts", 'import "server-only";\n')).toHaveLength(1);
  expect(await problems("lib/sync/x.ts", 'import { Nav } from "@/components/shell/nav";\nexport const n = Nav;\n')).toHaveLength(1);
  expect(await problems("lib/alerts/x.ts", 'import { getDb } from "@/lib/server/db";\nexport const g = getDb;\n')).toHaveLength(1);
});

test("the app and lib/server (the Next-aware glue) may", async () => {
  expect(await problems("lib/server/x.ts", 'import { headers } from "next/headers";\nexport const h = headers;\n')).toEqual([]);
  expect(await problems("app/x/page.tsx", 'import { redirect } from "next/navigation";\nexport const r = redirect;\n')).toEqual([]);
});
