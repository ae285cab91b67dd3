// The events a hybrid job sends, in the order the engine sends them: planned, its snapshot copy, then
// catching up on the change stream until in sync. For the Jobs view, progress store, page and host tests.
import type { ProgressEvent, TablePlanInfo } from '../../src/engine/jobs/types.js';

export const HYBRID_TABLES = ['customers', 'orders', 'order_items'];

const plan: TablePlanInfo[] = HYBRID_TABLES.map((table, i) => ({ table, keyColumns: ['id'], keyName: 'PRIMARY', estimatedRows: (i + 1) * 10_000, noKey: false }));

export function stream(jobId: string, events: number, behindSeconds: number | null, over: Partial<Extract<ProgressEvent, { type: 'stream' }>> = {}): ProgressEvent {
  return {
    type: 'stream',
    jobId,
    events,
    transactions: Math.round(events / 4),
    eventsPerSecond: 1_250,
    behindSeconds,
    behindEvents: 320,
    position: { file: 'mariadb-bin.000004', position: 1_048_576 + events },
    ...over,
  };
}

/** Up to the snapshot's end and `catching-up`, with two stream reports; `inSync` adds the in-sync phase and a last report. */
export function hybridEvents(jobId: string, inSync = true): ProgressEvent[] {
  const events: ProgressEvent[] = [
    { type: 'planned', jobId, tables: plan, snapshot: { binlogFile: 'mariadb-bin.000004', binlogPosition: 1_048_576, gtidBinlogPos: '0-1-900', exact: true } },
    { type: 'phase', jobId, phase: 'snapshot' },
    {
      type: 'progress', jobId, rows: 30_000, bytes: 3_000_000, rowsPerSecond: 15_000, totalRows: 60_000, totalIsEstimate: true, etaSeconds: 2,
      table: 'orders', chunk: 7, chunkRows: 5_000, throttle: { throttled: false }, state: 'copying',
    },
    ...HYBRID_TABLES.map((table, i): ProgressEvent => ({ type: 'table-done', jobId, table, rows: (i + 1) * 10_000 })),
    { type: 'phase', jobId, phase: 'catching-up', message: 'applying the changes since the snapshot' },
    stream(jobId, 2_000, 42.5, { behindEvents: 9_800, eventsPerSecond: 4_100 }),
    stream(jobId, 9_000, 6.2, { behindEvents: 1_200, eventsPerSecond: 3_900 }),
  ];
  if (inSync) events.push({ type: 'phase', jobId, phase: 'in-sync' }, stream(jobId, 12_400, 0.4, { behindEvents: 3, eventsPerSecond: 1_250 }));
  return events;
}
