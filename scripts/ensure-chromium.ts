import { execFileSync } from "node:child_process";
import fs from "node:fs";

/**
 * Browser tests use Debian's Chromium (never a browser downloaded by Playwright).
 * Installs it with apt-get when missing and running as root; otherwise says what to do.
 */
export async function ensureChromium(path = process.env.CHROMIUM_PATH || "/usr/bin/chromium"): Promise<void> {
  if (fs.existsSync(path)) return;
  if (process.getuid?.() !== 0) throw new Error(`Chromium not found at ${path}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH.`);
  console.log("installing Debian's chromium…");
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
}
