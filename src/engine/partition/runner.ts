/**
 * Runs a confirmed plan: each range is one copy job (src/engine/copy, with the range as the job's key
 * range: chunked, throttled, checkpointed exactly once, resumable by its job id), then verified by
 * count and row hash over the range on both sides. Merge is the reverse: every range, from its
 * server, back into one table.
 *
 * Before anything is written, every server that will receive rows is checked: it must not be a
 * replica (an admin account bypasses read_only, so SHOW SLAVE STATUS and @@read_only are read), and
 * the receiving table must be absent or empty. A split copies a snapshot of each range: writes to the
 * source during the split are not carried over (that needs change capture), and the verification
 * would report them as differences.
 */
import { closeQuietly, connect, queryRows, type Connection } from '../db/connection.js';
import { RefusedError } from '../db/errors.js';
import type { ServerSpec } from '../db/server.js';
import { qualified } from '../db/sql.js';
import { startJob } from '../copy/copyJob.js';
import { inspectTable, tableExists } from '../schema/inspector.js';
import { readWriteTargetRole } from '../topology/writeTarget.js';
import type { JobEvents, JobResult, JobSpec } from '../jobs/types.js';
import { mapProblems } from './map.js';
import { partitionKey } from './planner.js';
import { keyRangeOf, verifyRange } from './rangeVerify.js';
import { rangeLabel, targetLabel, type PartitionMap, type PartitionTarget, type RangeVerdict } from './types.js';

export interface PartitionPasswords {
  /** Password for a server, by host:port (the CLI and the worker fill it; never stored in the map). */
  forServer(t: { host: string; port: number }): string | undefined;
}

export interface RunOptions {
  passwords: PartitionPasswords;
  /** Copy job settings passed through (writers, chunk time, lag limits, replicas to watch). */
  job?: Pick<JobSpec, 'writers' | 'chunkTimeSeconds' | 'maxLagSeconds' | 'maxLoad' | 'method' | 'maxChunkRows'>;
  events?: JobEvents;
  /** Called before each range's copy, and after its verification. */
  onRange?(e: { range: number; phase: 'copying' | 'verified'; jobId?: string; verdict?: RangeVerdict }): void;
  /** Stops after the current range's job (which itself is cancelled and resumable). */
  signal?: AbortSignal;
}

export interface RunResult {
  state: 'done' | 'failed' | 'cancelled' | 'refused' | 'mismatch';
  map: PartitionMap;
  jobs: { range: number; jobId: string; result: JobResult }[];
  verdicts: RangeVerdict[];
  message?: string;
}

const specOf = (t: PartitionTarget, passwords: PartitionPasswords): ServerSpec => ({ name: t.name, host: t.host, port: t.port, user: t.user, password: passwords.forServer(t) });

/** Refuses a server that is a replica or read-only: rows reach replicas through their primary only. */
async function assertWritable(conn: Connection, label: string): Promise<void> {
  const role = await readWriteTargetRole(conn);
  if (role.unknown) throw role.unknown.error;
  if (role.channels.length > 0) throw new RefusedError(`${label} is a replica (SHOW SLAVE STATUS has a channel): write to its primary instead`);
  if (role.readOnly) throw new RefusedError(`${label} has read_only=ON: it is not a server to write to`);
}

async function assertEmptyOrAbsent(conn: Connection, database: string, table: string, label: string): Promise<void> {
  if (!(await tableExists(conn, database, table))) return;
  const rows = await queryRows(conn, `SELECT 1 AS x FROM ${qualified(database, table)} LIMIT 1`);
  if (rows.length > 0) throw new RefusedError(`${label}: ${database}.${table} already has rows; empty or drop it, or choose another database`);
}

/** Opens one connection per distinct server; all closed by the caller. */
async function openAll(targets: PartitionTarget[], passwords: PartitionPasswords): Promise<Map<string, Connection>> {
  const conns = new Map<string, Connection>();
  try {
    for (const t of targets) {
      const key = `${t.host}:${t.port}`;
      if (!conns.has(key)) conns.set(key, await connect(specOf(t, passwords)));
    }
  } catch (err) {
    for (const c of conns.values()) await closeQuietly(c);
    throw err;
  }
  return conns;
}

const connOf = (conns: Map<string, Connection>, t: PartitionTarget) => conns.get(`${t.host}:${t.port}`) as Connection;

async function runRanges(
  map: PartitionMap,
  o: RunOptions,
  direction: 'split' | 'merge',
  into: PartitionTarget | null,
): Promise<RunResult> {
  const problems = mapProblems(map);
  if (problems.length) return { state: 'refused', map, jobs: [], verdicts: [], message: `the partition map is not usable:\n  ${problems.join('\n  ')}` };
  const readers = direction === 'split' ? [map.source] : map.ranges.map((r) => r.target);
  const writers = direction === 'split' ? map.ranges.map((r) => r.target) : [into as PartitionTarget];
  const conns = await openAll([...readers, ...writers], o.passwords);
  const jobs: RunResult['jobs'] = [];
  const verdicts: RangeVerdict[] = [];
  try {
    // Everything that could refuse is checked before the first row is written.
    const first = direction === 'split' ? map.source : map.ranges[0].target;
    const info = await inspectTable(connOf(conns, first), first.database, map.table);
    const key = partitionKey(info);
    if (key.column !== map.keyColumn) throw new RefusedError(`${map.table}'s key is ${key.column} now, the map says ${map.keyColumn}`);
    const readLabels = new Set(readers.map(targetLabel));
    for (const w of writers) {
      if (readLabels.has(targetLabel(w))) throw new RefusedError(`${targetLabel(w)} is both read from and written to`);
      await assertWritable(connOf(conns, w), targetLabel(w));
      await assertEmptyOrAbsent(connOf(conns, w), w.database, map.table, targetLabel(w));
    }
    for (let i = 0; i < map.ranges.length; i++) {
      if (o.signal?.aborted) return { state: 'cancelled', map, jobs, verdicts, message: `cancelled before range ${i}` };
      const r = map.ranges[i];
      const from = direction === 'split' ? map.source : r.target;
      const to = direction === 'split' ? r.target : (into as PartitionTarget);
      const spec: JobSpec = {
        ...o.job,
        source: specOf(from, o.passwords),
        target: specOf(to, o.passwords),
        sourceDatabase: from.database,
        targetDatabase: to.database,
        tables: [map.table],
        mode: 'full',
        ranges: { [map.table]: keyRangeOf(r) },
        // A merge puts range after range into one table: from the second range on the table has
        // rows (the earlier ranges, checked disjoint by the map), so it is written as an upsert.
        ifExists: direction === 'merge' && i > 0 ? 'upsert' : 'abort',
      };
      o.onRange?.({ range: i, phase: 'copying' });
      const handle = startJob(spec, o.events ?? {});
      const onAbort = () => handle.cancel();
      o.signal?.addEventListener('abort', onAbort);
      const result = await handle.done.finally(() => o.signal?.removeEventListener('abort', onAbort));
      jobs.push({ range: i, jobId: result.jobId, result });
      if (result.state !== 'done') {
        const how = result.state === 'cancelled' ? `cancelled; resume it with: rw-migrate resume ${result.jobId}, then run ${direction} again` : result.message ?? result.state;
        return { state: result.state, map, jobs, verdicts, message: `range ${i} ${rangeLabel(r)} -> ${targetLabel(to)}: ${how}` };
      }
      const verdict = await verifyRange(i, r, info, { conn: connOf(conns, from), database: from.database }, { conn: connOf(conns, to), database: to.database }, direction === 'split');
      verdicts.push(verdict);
      o.onRange?.({ range: i, phase: 'verified', jobId: result.jobId, verdict });
      if (!verdict.match) {
        return { state: 'mismatch', map, jobs, verdicts, message: `range ${i} ${rangeLabel(r)}: ${verdict.sourceRows} rows / hash ${verdict.sourceHash} on ${targetLabel(from)}, ${verdict.targetRows} / ${verdict.targetHash} on ${targetLabel(to)}` };
      }
    }
    const now = new Date().toISOString();
    const done: PartitionMap =
      direction === 'split'
        ? { ...map, state: 'split', verified: verdicts, updatedAt: now, mergedInto: undefined }
        : { ...map, state: 'merged', verified: verdicts, updatedAt: now, mergedInto: into as PartitionTarget };
    return { state: 'done', map: done, jobs, verdicts };
  } catch (err) {
    if (err instanceof RefusedError) return { state: 'refused', map, jobs, verdicts, message: err.message };
    return { state: 'failed', map, jobs, verdicts, message: err instanceof Error ? err.message : String(err) };
  } finally {
    for (const c of conns.values()) await closeQuietly(c);
  }
}

/** Copies each range of a planned map to its target and verifies it. */
export function runSplit(map: PartitionMap, o: RunOptions): Promise<RunResult> {
  return runRanges(map, o, 'split', null);
}

/** Copies every range of a split map back into one table at `into` and verifies each range there. */
export function runMerge(map: PartitionMap, into: PartitionTarget, o: RunOptions): Promise<RunResult> {
  if (map.state !== 'split') return Promise.resolve({ state: 'refused', map, jobs: [], verdicts: [], message: `the map is ${map.state}, not split: only a split table can be merged` });
  return runRanges(map, o, 'merge', into);
}
