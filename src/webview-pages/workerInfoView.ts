import type { WorkerInfoHostMessage } from '../protocol/index.js';

/** Pure view model: what the page shows for a host message. Kept DOM-free so it is unit-tested. */
export interface WorkerInfoRow {
  label: string;
  value: string;
}

export interface WorkerInfoView {
  status: string;
  ok: boolean;
  rows: WorkerInfoRow[];
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function workerInfoView(msg: WorkerInfoHostMessage): WorkerInfoView {
  if (msg.type === 'error') return { status: `Worker unavailable: ${msg.message}`, ok: false, rows: [] };
  const { info } = msg;
  return {
    status: 'Worker ready',
    ok: true,
    rows: [
      { label: 'Process id', value: String(info.pid) },
      { label: 'Engine version', value: info.engineVersion },
      { label: 'Node.js', value: info.nodeVersion },
      { label: 'Uptime', value: formatDuration(info.uptimeMs) },
      { label: 'Memory (RSS)', value: formatBytes(info.rssBytes) },
      { label: 'Round trip', value: `${msg.roundTripMs} ms` },
    ],
  };
}
