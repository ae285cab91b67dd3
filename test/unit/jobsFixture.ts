// A job summary as the worker lists it, for the Jobs view tests.
import type { JobSpec, JobSummary } from '../../src/engine/jobs/types.js';

export const clock = () => new Date('2026-01-02T03:04:05.000Z');

export function jobSummary(id: string, over: Partial<JobSummary> = {}, spec: Partial<JobSpec> = {}): JobSummary {
  return {
    id,
    state: 'copying',
    spec: {
      source: { host: '127.0.0.1', port: 3306, user: 'u' },
      target: { host: '127.0.0.1', port: 3309, user: 'u' },
      sourceDatabase: 'shop',
      targetDatabase: 'shop_copy',
      tables: ['orders'],
      mode: 'full',
      ...spec,
    },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    snapshot: { binlogFile: null, binlogPosition: null, gtidBinlogPos: null },
    rowsCopied: 10,
    totalRows: 100,
    message: null,
    ...over,
  };
}
