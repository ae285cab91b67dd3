/**
 * Output: a one-line progress bar on a TTY, JSON lines with --json, sparse plain lines otherwise.
 * The bar is drawn from the job's JobView (the engine's one reducer), as the extension's views are.
 */
import { emptyJobView, formatBytes, formatDuration, reduceJobView, PHASE_TEXT, type JobResult, type JobView, type ProgressEvent, type SnapshotPosition } from '../engine/jobs/index.js';
import { connectionMessage } from './connectionHelp.js';

export interface Renderer {
  event(e: ProgressEvent): void;
  result(r: JobResult): void;
  info(message: string): void;
}

export function positionText(p: SnapshotPosition): string {
  return `${p.binlogFile ?? '-'}:${p.binlogPosition ?? '-'} gtid ${p.gtidBinlogPos ?? '-'}${p.exact === false ? ' (approximate: not read at the snapshot)' : ''}`;
}

/** The planned line: the snapshot this run reads, and the one changes must be applied from when they differ. */
export function plannedLine(e: Extract<ProgressEvent, { type: 'planned' }>): string {
  const count = e.snapshotCount ?? 1;
  const head = `job ${e.jobId}: ${e.tables.length} tables`;
  if (count <= 1) return `${head}, snapshot ${positionText(e.snapshot)}`;
  return `${head}, snapshot ${count} of this job at ${positionText(e.runSnapshot ?? e.snapshot)}; changes must be applied from snapshot 1 at ${positionText(e.snapshot)}`;
}

/** Said after a finished copy that read more than one snapshot. */
export function snapshotsNote(r: JobResult): string | null {
  if (!r.snapshotCount || r.snapshotCount <= 1) return null;
  const from = r.applyFrom ? ` (${positionText(r.applyFrom)})` : '';
  return `${r.snapshotCount} snapshots: rows copied after the resume reflect a later point; apply changes from the first snapshot's position${from} to converge`;
}

/** A finished cut-over as the job's last lines: where it ended, the outage, the tables, how to lift the block. */
export function cutoverLines(c: NonNullable<JobResult['cutover']>): string[] {
  return [
    `cut over (block ${c.block}) at ${c.finalPosition.file}:${c.finalPosition.position}${c.finalGtid ? `, GTID ${c.finalGtid}` : ''}: ` +
      `writes blocked until the target caught up ${c.blockedToCaughtUpMs} ms, verified in ${c.verifyMs} ms`,
    ...c.tables.map((t) => `  ${t.table}: ${t.rows.toLocaleString('en-US')} rows, ${t.match ? 'match' : 'MISMATCH'}`),
    'writes stay blocked on the source; switch the application to the target, then lift the block with:',
    ...c.lift.map((s) => `  ${s};`),
  ];
}

export function retryLine(e: Extract<ProgressEvent, { type: 'retry' }>): string {
  return `retrying ${e.what} after ${e.cause} (attempt ${e.attempt} failed, ${e.retriesLeft} ${e.retriesLeft === 1 ? 'retry' : 'retries'} left): ${e.error}`;
}

export function progressLine(e: JobView, width = 24): string {
  const frac = e.totalRows > 0 ? Math.min(1, e.rows / e.totalRows) : 0;
  const filled = Math.round(frac * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const pct = `${(frac * 100).toFixed(1)}%`;
  const throttle = e.throttle.throttled ? `  WAITING: ${e.throttle.reason ?? ''}` : '';
  const paused = e.state === 'paused' ? '  PAUSED' : '';
  return (
    `[${bar}] ${pct} ${e.rows.toLocaleString('en-US')}/${e.totalIsEstimate ? '~' : ''}${e.totalRows.toLocaleString('en-US')} rows ` +
    `${formatBytes(e.bytes)} ${e.rowsPerSecond.toLocaleString('en-US')} rows/s ETA ${formatDuration(e.etaSeconds === null ? null : e.etaSeconds * 1000)} ` +
    `${e.table ?? ''}#${e.chunk}${throttle}${paused}`
  );
}

type StreamEvent = Extract<ProgressEvent, { type: 'stream' }>;

/** A following job's stream as one line: how far behind, what is pending, what was applied. */
export function streamLine(e: StreamEvent): string {
  const behind = e.behindSeconds === null ? 'behind: not known yet' : `behind ${e.behindSeconds.toFixed(1)} s`;
  return (
    `following: ${behind}, ${e.behindEvents.toLocaleString('en-US')} events pending; applied ${e.events.toLocaleString('en-US')} events ` +
    `in ${e.transactions.toLocaleString('en-US')} transactions (${e.eventsPerSecond.toLocaleString('en-US')}/s) up to ${e.position.file}:${e.position.position}`
  );
}

/**
 * The line --json prints each time a hybrid job enters in-sync (scripts wait for it): where the
 * stream stands at that moment, from its last stream event.
 */
export function inSyncLine(jobId: string, last: StreamEvent | null): Record<string, unknown> {
  return {
    type: 'state',
    state: 'in-sync',
    jobId,
    behindSeconds: last?.behindSeconds ?? null,
    behindEvents: last?.behindEvents ?? 0,
    position: last?.position ?? null,
  };
}

export function jsonRenderer(out: NodeJS.WritableStream = process.stdout): Renderer {
  const lastStream = new Map<string, StreamEvent>();
  return {
    event: (e) => {
      out.write(JSON.stringify(e) + '\n');
      if (e.type === 'stream') lastStream.set(e.jobId, e);
      if (e.type === 'phase' && e.phase === 'in-sync') out.write(JSON.stringify(inSyncLine(e.jobId, lastStream.get(e.jobId) ?? null)) + '\n');
    },
    result: (r) => out.write(JSON.stringify({ type: 'result', ...r }) + '\n'),
    info: (message) => out.write(JSON.stringify({ type: 'info', message }) + '\n'),
  };
}

export function humanRenderer(out: NodeJS.WriteStream = process.stderr): Renderer {
  const tty = !!out.isTTY;
  let lastPlain = 0;
  let barShown = false;
  let view: JobView | null = null;
  const clearBar = () => {
    if (tty && barShown) out.write('\r\x1b[2K');
    barShown = false;
  };
  const line = (text: string) => {
    clearBar();
    out.write(text + '\n');
  };
  return {
    event(e) {
      view = reduceJobView(view?.jobId === e.jobId ? view : emptyJobView(e.jobId, Date.now()), e, Date.now());
      switch (e.type) {
        case 'progress':
          if (tty) {
            const cols = out.columns ?? 120;
            out.write('\r\x1b[2K' + progressLine(view).slice(0, cols - 1));
            barShown = true;
          } else if (Date.now() - lastPlain > 5000) {
            lastPlain = Date.now();
            line(progressLine(view));
          }
          break;
        case 'planned':
          line(plannedLine(e));
          break;
        case 'table-done':
          line(`  ${e.table}: ${e.rows.toLocaleString('en-US')} rows`);
          break;
        case 'throttle':
          line(e.throttle.throttled ? `waiting${e.throttle.signals?.length ? ` (${e.throttle.signals.join(', ')})` : ''}: ${e.throttle.reason}` : 'throttle cleared, copying');
          break;
        case 'state':
          if (e.state === 'paused' || e.state === 'copying') line(`state: ${e.state}`);
          break;
        case 'log':
          line(`${e.level}: ${e.message}`);
          break;
        case 'retry':
          line(retryLine(e));
          break;
        case 'phase':
          line(`phase: ${PHASE_TEXT[e.phase]}${e.message ? ` (${e.message})` : ''}`);
          break;
        case 'cutover':
          line(`cut-over ${e.step}: ${e.message}`);
          break;
        case 'stream':
          if (tty) {
            const cols = out.columns ?? 120;
            out.write('\r\x1b[2K' + streamLine(e).slice(0, cols - 1));
            barShown = true;
          } else if (Date.now() - lastPlain > 5000) {
            lastPlain = Date.now();
            line(streamLine(e));
          }
          break;
      }
    },
    result(r) {
      clearBar();
      const note = snapshotsNote(r);
      const rate = r.seconds > 0 ? Math.round(r.rows / r.seconds) : 0;
      const retried = r.retries ? `, ${r.retries} ${r.retries === 1 ? 'retry' : 'retries'} after transient faults` : '';
      if (r.state === 'done') line(`done: job ${r.jobId}, ${r.rows.toLocaleString('en-US')} rows, ${formatBytes(r.bytes)} in ${formatDuration(r.seconds * 1000)} (${rate.toLocaleString('en-US')} rows/s)${retried}`);
      else if (r.state === 'cancelled') line(`cancelled: job ${r.jobId}; continue with: rw-migrate resume ${r.jobId}`);
      else if (r.state === 'refused') line(`refused:\n  ${(r.details?.length ? r.details : [r.message ?? '']).join('\n  ')}`);
      else if (r.connection) line(`failed: ${connectionMessage(r.connection)}${r.jobId ? `\nthen continue with: rw-migrate resume ${r.jobId}` : ''}`);
      else line(`failed: job ${r.jobId}: ${r.message ?? 'unknown error'}${r.jobId ? `\ncontinue with: rw-migrate resume ${r.jobId}` : ''}`);
      if (note && r.state === 'done') line(note);
      if (r.state === 'done' && r.cutover) for (const l of cutoverLines(r.cutover)) line(l);
    },
    info: (message) => line(message),
  };
}
