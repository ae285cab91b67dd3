/**
 * The one way sizes and durations are written, in the Jobs view, the progress and worker pages, the
 * topology tree and the CLI. Pure (no DOM, no Node API) so every runtime imports it by path.
 */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Binary units, as the servers count them: 512 B, 1.5 KiB, 3.0 GiB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '? B';
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? Math.round(value) : value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/**
 * A duration in milliseconds as a person says it: 250 ms, 59 s, 1 min 13 s, 1 h 2 min. Whole units,
 * rounded down (an ETA of 59.9 s is "59 s", never "1 min"); "unknown" for null or a non-number.
 */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return 'unknown';
  const t = Math.max(0, ms);
  if (t < 1000) return `${Math.round(t)} ms`;
  const s = Math.floor(t / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
