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
  /**
   * CPU time per unit of work (`per`: msg, delivery, event, row…), from /proc/<pid>/stat
   * utime + stime read before and after the measured window: `server` is the process under test
   * (Dispatch, or the peer's app process), `db` the separate database process where there is one
   * (mariadbd; redis-server for the peer). `dbApprox` when that process also served others'
   * work (the machine's shared mariadbd). The baseline's own CPU per request sits next to it.
   */
  cpu?: {
    per: string;
    /** 'ms' unless given (case 5: 'µs') */ unit?: string;
    server: number | null;
    db: number | null;
    dbApprox?: boolean;
    baseline?: number | null;
    baselineDb?: number | null;
  };
  /** The figure issue 12's ratio line shows for this case (e.g. "0.07" or "12.3 ms"). */
  headline?: string;
  error?: string;
  seconds: number;
  loadAverage: number;
}
