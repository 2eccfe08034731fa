import tseslint from "typescript-eslint";

// The import boundary of ARCHITECTURE.md: db/, lib/ (but lib/server/) and workers/
// run under plain Node in the worker, so they never reach for Next.js or the UI.
const nextOnly = {
  patterns: [
    { group: ["next", "next/*", "next-auth", "next-auth/*", "server-only"], message: "Only app/, components/ and lib/server/ may import Next.js." },
    { group: ["@/app/*", "@/components/*", "../app/*", "../components/*", "../../app/*", "../../components/*"], message: "Domain code never imports the UI." },
    { group: ["@/lib/server/*"], message: "lib/server is Next-aware glue; domain code must not depend on it." },
  ],
};

export default tseslint.config(
  { ignores: ["node_modules/**", ".next/**", "dist/**", ".data/**", "db/migrations/**", "next-env.d.ts", "test-results/**", "playwright-report/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["db/**/*.ts", "lib/**/*.ts", "workers/**/*.ts"],
    ignores: ["lib/server/**"],
    rules: { "no-restricted-imports": ["error", nextOnly] },
  },
);
