/**
 * The pure half of Cut Over: the modal that says what will be blocked where (one button per block
 * mode), and what the outcome says afterwards (the final position, the tables verified, how to lift
 * the block). No vscode here, so every word the user reads before blocking writes is unit-tested.
 */
import type { CutoverBlock, CutoverOutcome, ServerSpec } from '../engine/jobs/types.js';

export interface CutoverSubject {
  jobId: string;
  /** "shop.orders → 127.0.0.1:3309/shop" */
  label: string;
  source: Pick<ServerSpec, 'host' | 'port' | 'name'>;
  sourceDatabase: string;
  target: Pick<ServerSpec, 'host' | 'port' | 'name'>;
  targetDatabase: string;
  /** The moved tables (the planned ones), or 'all' when only "every table" is known. */
  tables: string[] | 'all';
}

export interface CutoverConfirmation {
  message: string;
  detail: string;
  /** The modal's buttons in order; Cancel is the modal's own. */
  choices: { block: CutoverBlock; button: string }[];
}

/** "primary (127.0.0.1:3306)", or just the address when the server has no other name. */
export function serverName(s: Pick<ServerSpec, 'host' | 'port' | 'name'>): string {
  const addr = `${s.host}:${s.port}`;
  return s.name && s.name !== addr ? `${s.name} (${addr})` : addr;
}

function tableList(db: string, tables: string[]): string {
  const shown = tables.slice(0, 10).map((t) => `${db}.${t}`).join(', ');
  return tables.length > 10 ? `${shown}, … (${tables.length} in all)` : shown;
}

export function cutoverConfirmation(s: CutoverSubject): CutoverConfirmation {
  const source = serverName(s.source);
  const shortSource = s.source.name || `${s.source.host}:${s.source.port}`;
  const target = `${serverName(s.target)}, database ${s.targetDatabase}`;
  const some = s.tables !== 'all';
  const n = some ? s.tables.length : 0;
  const lockButton = some ? `Block the ${n} table${n === 1 ? '' : 's'} (lock)` : `Block every table of ${s.sourceDatabase} (lock)`;
  const readOnlyButton = `Set read_only on ${shortSource}`;
  const lockWhat = some ? `the ${n === 1 ? 'table' : `${n} tables`} ${tableList(s.sourceDatabase, s.tables as string[])}` : `every table of ${s.sourceDatabase}`;
  return {
    message: `Cut over ${s.label}? Writes on the source ${source} will be blocked.`,
    detail: [
      `"${lockButton}": blocks writes to ${lockWhat} on ${source} with blocker triggers (put in place under a short LOCK TABLES); the server's other tables stay writable.`,
      `"${readOnlyButton}": sets read_only on ${source}: writes to the whole server, every database, are blocked (accounts allowed to bypass read_only, such as READ_ONLY ADMIN, still write).`,
      `Then the job applies the source's last changes to ${target}, verifies every moved table by checksum, and stops.`,
      `Writes stay blocked on ${source} until you lift the block yourself: the statements to lift it are shown when the cut-over ends. Point the application at ${serverName(s.target)} before lifting it.`,
    ].join('\n'),
    choices: [
      { block: 'lock', button: lockButton },
      { block: 'read-only', button: readOnlyButton },
    ],
  };
}

/** What the user reads when the cut-over answers: the report when it is done, else why not. */
export function cutoverOutcomeText(s: Pick<CutoverSubject, 'label' | 'source'>, outcome: CutoverOutcome): { ok: boolean; message: string; detail: string } {
  const source = serverName(s.source);
  const r = outcome.report;
  if (outcome.state !== 'done' || !r) {
    const what = outcome.state === 'refused' ? 'refused' : 'failed';
    return { ok: false, message: `Cut-over of ${s.label} ${what}: ${outcome.message}`, detail: '' };
  }
  const pos = `${r.finalPosition.file}:${r.finalPosition.position}${r.finalGtid ? ` (GTID ${r.finalGtid})` : ''}`;
  const bad = r.tables.filter((t) => !t.match);
  const lines = [
    `Final position: ${pos}: the target holds every change up to it.`,
    `Tables verified by checksum: ${r.tables.map((t) => `${t.table} (${t.rows.toLocaleString('en-US')} rows, ${t.match ? 'match' : 'MISMATCH'})`).join(', ') || 'none'}.`,
    `Blocked to caught up: ${(r.blockedToCaughtUpMs / 1000).toFixed(1)} s; verification: ${(r.verifyMs / 1000).toFixed(1)} s.`,
    `Writes are still blocked on ${source} (${r.block === 'read-only' ? 'read_only' : 'blocker triggers on the moved tables'}). Lift the block when the application uses the target:`,
    ...r.lift.map((l) => `  ${l}`),
  ];
  return {
    ok: bad.length === 0,
    message: bad.length === 0 ? `Cut-over of ${s.label} done: every table matches.` : `Cut-over of ${s.label} done, but ${bad.map((t) => t.table).join(', ')} do not match.`,
    detail: [outcome.message, ...lines].filter(Boolean).join('\n'),
  };
}
