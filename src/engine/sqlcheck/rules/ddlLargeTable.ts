/**
 * DDL that rewrites or scans a large table without an online strategy. On MariaDB an ALTER that is
 * not INSTANT (or NOCOPY) copies or rebuilds the table; even with LOCK=NONE, which keeps the primary
 * writable, each replica applies the ALTER only after the primary finished it and then runs it for as
 * long again, so the replicas fall behind by the ALTER's duration (MariaDB docs, "InnoDB Online DDL
 * Overview" and "ALTER TABLE": ALGORITHM and LOCK clauses; binlog_alter_two_phase in 10.8+ only
 * shortens the replica side when enabled). `ALGORITHM=INSTANT` makes the server refuse the statement
 * instead of rebuilding, which is the safe way to write a change meant to be cheap; anything else on a
 * large table belongs to an online schema change tool (pt-online-schema-change, gh-ost) — RW Migrate's
 * own Alter Table Online… is not there yet, so the finding says so rather than offering it.
 *
 * Size comes from the context (the active profile's table estimates, when the worker has them);
 * without it the finding is a hint that names what is unknown.
 */
import type { Token } from '../../sqltext/lexer.js';
import { findWord, tableNameAt, verb, type StatementSlice as Statement, isWord } from '../../sqltext/statements.js';
import type { CheckContext, Finding, Rule } from '../types.js';

export const ONLINE_DDL_DOCS = 'https://mariadb.com/kb/en/innodb-online-ddl-overview/';

/** Words that may sit between ALTER and TABLE, and between TABLE and the name. */
const ALTER_PREFIX = new Set(['ONLINE', 'IGNORE']);

interface DdlTarget {
  what: string;
  database: string | null;
  table: string;
  head: Token;
  nameEnd: number;
}

function ddlTarget(stmt: Statement): DdlTarget | null {
  const t = stmt.tokens;
  const v = verb(stmt);
  const head = t[0];
  if (head.depth !== 0 || head.kind !== 'word') return null;
  if (v === 'ALTER') {
    let k = 1;
    while (t[k]?.kind === 'word' && ALTER_PREFIX.has(t[k].upper)) k++;
    if (t[k]?.upper !== 'TABLE') return null;
    k++;
    if (isWord(t[k], 'IF') && isWord(t[k + 1], 'EXISTS')) k += 2;
    const name = tableNameAt(t, k);
    return name ? { what: 'ALTER TABLE', database: name.database, table: name.table, head, nameEnd: name.end } : null;
  }
  if (v === 'CREATE' || v === 'DROP') {
    // CREATE [OR REPLACE] [UNIQUE|FULLTEXT|SPATIAL] INDEX [IF NOT EXISTS] name ON tbl; DROP INDEX name ON tbl
    const idx = findWord(t, 'INDEX');
    if (idx < 0 || idx > 5) return null;
    const on = findWord(t, 'ON', idx);
    if (on < 0) return null;
    const name = tableNameAt(t, on + 1);
    return name ? { what: `${v} INDEX`, database: name.database, table: name.table, head, nameEnd: name.end } : null;
  }
  if (v === 'OPTIMIZE') {
    let k = 1;
    while (t[k]?.kind === 'word' && (isWord(t[k], 'NO_WRITE_TO_BINLOG') || isWord(t[k], 'LOCAL'))) k++;
    if (t[k]?.upper !== 'TABLE') return null;
    const name = tableNameAt(t, k + 1);
    return name ? { what: 'OPTIMIZE TABLE', database: name.database, table: name.table, head, nameEnd: name.end } : null;
  }
  return null;
}

/** The value of a top-level `ALGORITHM [=] X` or `LOCK [=] X` clause, upper-cased. */
function option(t: Token[], name: string): string | null {
  for (let k = findWord(t, name); k >= 0; k = findWord(t, name, k + 1)) {
    const v = t[k + 1]?.text === '=' ? t[k + 2] : t[k + 1];
    if (v?.kind === 'word') return v.upper;
  }
  return null;
}

function formatSize(rows: number, bytes: number): string {
  const r = rows >= 1e6 ? `${(rows / 1e6).toFixed(1)}M` : rows >= 1e3 ? `${Math.round(rows / 1e3)}k` : String(rows);
  const mb = bytes / (1024 * 1024);
  return `~${r} rows${bytes > 0 ? `, ${mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.round(mb)} MB`}` : ''}`;
}

export const ddlLargeTable: Rule = {
  id: 'ddl-large-table',
  description: 'ALTER TABLE, CREATE/DROP INDEX or OPTIMIZE TABLE on a large table without ALGORITHM=INSTANT or an online schema change tool.',
  check(stmt: Statement, ctx: CheckContext): Finding[] {
    const target = ddlTarget(stmt);
    if (!target) return [];
    const algorithm = option(stmt.tokens, 'ALGORITHM');
    if (target.what === 'ALTER TABLE' && (algorithm === 'INSTANT' || algorithm === 'NOCOPY')) return [];
    const name = target.database ? `${target.database}.${target.table}` : target.table;
    const range = { start: target.head.start, end: target.nameEnd };
    const lock = option(stmt.tokens, 'LOCK');
    const how =
      lock === 'NONE'
        ? 'LOCK=NONE keeps the primary writable, but each replica starts the statement only after the primary finished it, so replicas lag by its whole duration'
        : 'it copies or rebuilds the table, blocking writes for part of the time, and each replica then repeats it after the primary finished, lagging by its whole duration';
    const advice =
      target.what === 'ALTER TABLE'
        ? 'Add ALGORITHM=INSTANT if the change is meant to be instant (the server then refuses rather than rebuilds), or run it with an online schema change tool (pt-online-schema-change, gh-ost); RW Migrate\'s Alter Table Online… is not available yet.'
        : 'Run it with an online schema change tool (pt-online-schema-change, gh-ost) or in a maintenance window; RW Migrate\'s Alter Table Online… is not available yet.';
    // The quick fix: ALGORITHM=INSTANT turns "rebuild for an hour" into "refused at once" when the
    // change cannot be instant. Only offered where no ALGORITHM is chosen (never overrides a choice).
    const fix = target.what === 'ALTER TABLE' && algorithm === null ? { title: 'Add ALGORITHM=INSTANT (the server refuses instead of rebuilding)', at: stmt.codeEnd, text: ', ALGORITHM=INSTANT' } : undefined;
    const size = ctx.tableSize(target.database, target.table);
    if (!size) {
      return [{
        rule: this.id,
        severity: 'hint',
        message: `${target.what} on ${name}: table size unknown (set the profile active and expand its database in the Topology view to load estimates). On a large table ${how}. ${advice}`,
        docs: ONLINE_DDL_DOCS,
        fix,
        ...range,
      }];
    }
    if (size.rows < ctx.largeTableRows) return [];
    return [{
      rule: this.id,
      severity: 'warning',
      message: `${target.what} on a large table ${name} (${formatSize(size.rows, size.bytes)}): ${how}. ${advice}`,
      docs: ONLINE_DDL_DOCS,
      fix,
      ...range,
    }];
  },
};
