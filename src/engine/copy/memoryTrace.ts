/**
 * RW_MIGRATE_MEMTRACE=1: samples process.memoryUsage() every 50 ms during the copy and writes the
 * peaks as one JSON line on stderr (for the benchmark and for tuning; off by default).
 */
export interface MemoryTrace {
  add(name: string, value: number): void;
  stop(): void;
}

export function memoryTrace(): MemoryTrace | null {
  if (!process.env.RW_MIGRATE_MEMTRACE) return null;
  const peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    for (const k of Object.keys(peak) as (keyof typeof peak)[]) peak[k] = Math.max(peak[k], m[k]);
  };
  const timer = setInterval(sample, 50);
  timer.unref();
  const sums: Record<string, number> = {};
  return {
    add(name, value) {
      sums[name] = (sums[name] ?? 0) + value;
    },
    stop() {
      clearInterval(timer);
      sample();
      const mb = Object.fromEntries(Object.entries(peak).map(([k, v]) => [k, Math.round(v / 2 ** 20)]));
      const totals = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, +v.toFixed(2)]));
      process.stderr.write(JSON.stringify({ type: 'memtrace', peakMb: mb, totals }) + '\n');
    },
  };
}
