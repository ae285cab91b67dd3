import { formatBytes, formatDuration } from '../engine/jobs/format.js';
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
