/** The package ships no types: what it returns, as its README documents it. */
declare module "parse-prometheus-text-format" {
  type Sample = { value: string; labels?: Record<string, string> };
  export type MetricFamily = { name: string; help: string; type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED"; metrics: Sample[] };
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
