/**
 * Output: a one-line progress bar on a TTY, JSON lines with --json, sparse plain lines otherwise.
 * The bar is drawn from the job's JobView (the engine's one reducer), as the extension's views are.
 */
import { emptyJobView, formatBytes, formatDuration, reduceJobView, type JobResult, type JobView, type ProgressEvent } from '../engine/jobs/index.js';

export interface Renderer {
  event(e: ProgressEvent): void;
  result(r: JobResult): void;
  info(message: string): void;
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

export function jsonRenderer(out: NodeJS.WritableStream = process.stdout): Renderer {
  return {
    event: (e) => out.write(JSON.stringify(e) + '\n'),
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
          line(`job ${e.jobId}: ${e.tables.length} tables, snapshot ${e.snapshot.binlogFile ?? '-'}:${e.snapshot.binlogPosition ?? '-'} gtid ${e.snapshot.gtidBinlogPos ?? '-'}`);
          break;
        case 'table-done':
          line(`  ${e.table}: ${e.rows.toLocaleString('en-US')} rows`);
          break;
        case 'throttle':
          line(e.throttle.throttled ? `waiting: ${e.throttle.reason}` : 'throttle cleared, copying');
          break;
        case 'state':
          if (e.state === 'paused' || e.state === 'copying') line(`state: ${e.state}`);
          break;
        case 'log':
          line(`${e.level}: ${e.message}`);
          break;
      }
    },
    result(r) {
      clearBar();
      const rate = r.seconds > 0 ? Math.round(r.rows / r.seconds) : 0;
      if (r.state === 'done') line(`done: job ${r.jobId}, ${r.rows.toLocaleString('en-US')} rows, ${formatBytes(r.bytes)} in ${formatDuration(r.seconds * 1000)} (${rate.toLocaleString('en-US')} rows/s)`);
      else if (r.state === 'cancelled') line(`cancelled: job ${r.jobId}; continue with: rw-migrate resume ${r.jobId}`);
      else if (r.state === 'refused') line(`refused:\n  ${(r.details?.length ? r.details : [r.message ?? '']).join('\n  ')}`);
      else line(`failed: job ${r.jobId}: ${r.message ?? 'unknown error'}${r.jobId ? `\ncontinue with: rw-migrate resume ${r.jobId}` : ''}`);
    },
    info: (message) => line(message),
  };
}
