/** One row of the benchmark table (and of the JSON file). */
export interface CaseResult {
  case: number;
  name: string;
  dialect: string;
  /** What was measured on Dispatch, e.g. "accepted msg/s". */
  metric: string;
  value: number;
  unit: string;
  /** The raw baseline measured in the same run, next to it. */
  baseline: { name: string; value: number; unit: string } | null;
  /** value / baseline (or the inverse for times, so higher is always better); null without baseline. */
  ratio: number | null;
  /** The target as text, e.g. "ratio ≥ 0.40" or "p99 < 25 ms". */
  target: string;
  met: boolean | null;
  details: Record<string, unknown>;
  error?: string;
  seconds: number;
  loadAverage: number;
}
