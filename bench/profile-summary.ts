/**
 * `npx tsx bench/profile-summary.ts <file.cpuprofile> [top]`: self time by function and by
 * package (node_modules/<name>, our folders, node internals, GC/idle), to see whether a
 * benchmark's time goes to Mailroom's code or to a dependency.
 */
import fs from "node:fs";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

function owner(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith("node:")) return "node:internal";
  const ours = /\/(lib\/[^/]+|workers|db|app|bench)\//.exec(url);
  return ours ? ours[1] : url;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]");
  process.exit(2);
}
const p = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const fns = new Map<string, number>();
const pkgs = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  const { functionName, url, lineNumber } = n.callFrame;
  const key = `${functionName || "(anonymous)"} ${url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(lib|workers|db)\//, "$1/")}:${lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
  const o = owner(url, functionName);
  pkgs.set(o, (pkgs.get(o) ?? 0) + us);
}
const top = Number(topArg ?? 25);
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms`;
console.log(`profile ${(total / 1e6).toFixed(2)} s sampled\n\nby package / folder:`);
for (const [k, v] of [...pkgs].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${pct(v)}  ${k}`);
console.log(`\nby function (self time):`);
for (const [k, v] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
