import { describe, expect, it } from "vitest";
import { samplesOf } from "../harness/prometheus";

// The e2e tests read /metrics through this helper; a helper that drops series would hide a bug in /metrics.
describe("samplesOf (reading /metrics as a scraper does)", () => {
  const text = [
    "# HELP x_seconds A histogram with two label sets.",
    "# TYPE x_seconds histogram",
    'x_seconds_bucket{le="1",result="retrying"} 1',
    'x_seconds_bucket{le="+Inf",result="retrying"} 1',
    'x_seconds_sum{result="retrying"} 0.5',
    'x_seconds_count{result="retrying"} 1',
    'x_seconds_bucket{le="1",result="synced"} 0',
    'x_seconds_bucket{le="+Inf",result="synced"} 2',
    'x_seconds_sum{result="synced"} 4',
    'x_seconds_count{result="synced"} 2',
    "",
  ].join("\n");

  it("returns a histogram's _count for every label set, not only the first", () => {
    expect(samplesOf(text, "x_seconds_count")).toEqual([
      { labels: { result: "retrying" }, value: 1 },
      { labels: { result: "synced" }, value: 2 },
    ]);
  });

  it("returns every bucket of every label set", () => {
    expect(samplesOf(text, "x_seconds_bucket").map((s) => `${s.labels.result}/${s.labels.le}=${s.value}`)).toEqual(["retrying/1=1", "retrying/+Inf=1", "synced/1=0", "synced/+Inf=2"]);
  });
});
