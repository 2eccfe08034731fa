import parsePrometheusTextFormat from "parse-prometheus-text-format";

export type Sample = { labels: Record<string, string>; value: number };

/**
 * The samples of `name` in Prometheus text, read by an independent parser
 * (parse-prometheus-text-format, which also throws on a malformed line), so a test
 * reads /metrics the way a scraper does. That parser folds a labelled histogram
 * into one unlabelled sample, so histogram series are read as the untyped
 * samples they are on the wire: ask for `<name>_count`, `<name>_bucket` or `<name>_sum`.
 */
export function samplesOf(text: string, name: string): Sample[] {
  parsePrometheusTextFormat(text);
  const untyped = text.replace(/^# TYPE (\S+) histogram$/gm, "# TYPE $1 untyped");
  // Read untyped, each run of same-named lines is its own family: a histogram's `_count`
  // lines come once per label set, between its buckets, so every family of the name counts.
  return parsePrometheusTextFormat(untyped)
    .filter((f) => f.name === name)
    .flatMap((f) => f.metrics.map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) })));
}

/** The value of the one sample of `name` whose labels include `labels` (undefined when none). */
export function valueOf(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const match = samplesOf(text, name).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (match.length > 1) throw new Error(`${match.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return match[0]?.value;
}
