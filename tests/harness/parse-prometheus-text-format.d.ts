declare module "parse-prometheus-text-format" {
  export type ParsedFamily = {
    name: string;
    help: string;
    type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
    metrics: Array<{ value?: string; labels?: Record<string, string> }>;
  };
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
