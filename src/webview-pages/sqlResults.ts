/**
 * SQL results page: the statements of one run (where each ran, the replica's lag, why), and the
 * selected statement's rows in a Tabulator grid. The grid is virtual (only rows in view are in the
 * DOM) and lazy: it starts with one placeholder per row plus the first rows sent with the run, and
 * asks the host for 500-row pages as they scroll into view, so 100,000 rows never cross the
 * worker -> host -> page channel at once. Export CSV/JSON goes to the host, which asks for a file.
 * A result answered on its first rows says "so far, loading…" until the host relays that it is
 * complete: then the statement's facts are redrawn and the grid grows to the final count.
 */
import { FormatModule, ResizeColumnsModule, Tabulator, type CellComponent, type ColumnDefinition } from 'tabulator-tables';
import tabulatorCss from 'tabulator-tables/dist/css/tabulator.min.css';
import pageCss from '../../media/sqlResults.css';
import type { Cell, SqlResultDone, SqlResultsHostMessage, SqlResultsPageMessage, SqlRunResult, SqlStatementResult } from '../protocol/index.js';
import {
  applyDone, columnChars, defaultSelection, elapsedText, exportLabel, outcomeText, PAGE_ROWS, pagesToFetch, pageToRefetch, runTitle, shortSql, whereText,
} from './sqlResultsView.js';
import { hostChannel } from './vscodeApi.js';
import { adoptCss, el } from './dom.js';

Tabulator.registerModule([FormatModule, ResizeColumnsModule]);

adoptCss(tabulatorCss, pageCss);
const app = document.getElementById('app') as HTMLElement;

interface GridRow {
  __i: number;
  __loaded: boolean;
  [column: string]: Cell | boolean;
}

let run: SqlRunResult | null = null;
let selected = 0;
let table: Tabulator | null = null;
/** The grid's result, the pages asked for, and how many rows (placeholders included) it holds. */
let grid: { resultId: string; pages: Set<number>; rows: number } | null = null;
/** The statement list and the selected statement's facts, redrawn in place when a result completes. */
let listEl: HTMLElement | null = null;
let detailEl: HTMLElement | null = null;
let nextRequest = 1;
const pending = new Map<number, { resultId: string; page: number }>();

const channel = hostChannel<SqlResultsPageMessage, SqlResultsHostMessage>((msg) => {
  switch (msg.type) {
    case 'run':
      run = msg.run;
      selected = defaultSelection(msg.run);
      render();
      return;
    case 'resultDone':
      completed(msg.done);
      return;
    case 'rows': {
      const req = pending.get(msg.requestId);
      pending.delete(msg.requestId);
      if (!req || !grid || !table || grid.resultId !== msg.resultId) return;
      // While the result loads the worker may already hold rows past the grid's end: they come with completion.
      const rows = grid.rows;
      void table.updateData(msg.rows.map((r, k) => rowObject(msg.offset + k, r)).filter((r) => r.__i < rows));
      return;
    }
    case 'rowsError': {
      const req = pending.get(msg.requestId);
      pending.delete(msg.requestId);
      // Let the page be asked for again when it scrolls back into view.
      if (req && grid?.resultId === req.resultId) grid.pages.delete(req.page);
      status.textContent = msg.message;
      return;
    }
  }
});

const status = el('p', 'error');

function rowObject(i: number, cells: Cell[]): GridRow {
  const row: GridRow = { __i: i, __loaded: true };
  cells.forEach((c, j) => (row[`c${j}`] = c));
  return row;
}

function requestPage(page: number): void {
  if (!grid || grid.pages.has(page)) return;
  grid.pages.add(page);
  const requestId = nextRequest++;
  pending.set(requestId, { resultId: grid.resultId, page });
  channel.postMessage({ type: 'rows', requestId, resultId: grid.resultId, offset: page * PAGE_ROWS, limit: PAGE_ROWS });
}

/** Cells as text nodes (never HTML); a placeholder row asks for its page when it is drawn. */
function cellFormatter(cell: CellComponent): HTMLElement | string {
  const data = cell.getData() as GridRow;
  if (!data.__loaded) {
    for (const p of pagesToFetch(data.__i, data.__i, grid?.pages ?? new Set())) requestPage(p);
    return '…';
  }
  const v = data[cell.getField()];
  if (v === null) return el('span', 'null', 'NULL');
  return el('span', undefined, String(v));
}

function header(r: SqlRunResult): HTMLElement {
  const h = el('div', 'header');
  h.append(el('h1', undefined, runTitle(r)));
  if (r.forcePrimary) h.append(el('span', 'badge', 'primary override'));
  return h;
}

function statementList(r: SqlRunResult): HTMLElement {
  const t = el('table', 'statements');
  t.setAttribute('aria-label', 'Statements of this run');
  const head = el('tr');
  for (const h of ['#', 'Ran on', 'Result', 'Time', 'Statement']) head.append(el('th', undefined, h));
  t.append(head);
  for (const s of r.statements) {
    const tr = el('tr', `selectable${s.index === selected ? ' selected' : ''}`);
    tr.tabIndex = 0;
    tr.setAttribute('aria-selected', String(s.index === selected));
    tr.append(el('td', undefined, String(s.index + 1)));
    tr.append(el('td', s.route ? `route-${s.route}` : undefined, whereText(s)));
    tr.append(el('td', s.error ? 'error' : undefined, outcomeText(s)));
    tr.append(el('td', 'elapsed', elapsedText(s.elapsedMs, !!s.route)));
    tr.append(el('td', 'sql', shortSql(s.text)));
    const choose = () => {
      selected = s.index;
      render();
    };
    tr.addEventListener('click', choose);
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        choose();
      }
    });
    t.append(tr);
  }
  return t;
}

function detail(s: SqlStatementResult): HTMLElement {
  const d = el('section', 'detail');
  d.setAttribute('aria-label', `Statement ${s.index + 1}`);
  const facts = el('div', 'facts');
  facts.append(el('span', `server${s.route ? ` route-${s.route}` : ''}`, whereText(s)));
  facts.append(el('span', s.error ? 'error' : undefined, outcomeText(s)));
  facts.append(el('span', undefined, elapsedText(s.elapsedMs, !!s.route)));
  // A result cut short by an error is not exported (the worker refuses it): no buttons for it.
  if (s.resultId && !s.error) {
    const actions = el('div', 'actions');
    for (const format of ['csv', 'json'] as const) {
      const b = el('button', 'secondary', `Export ${format.toUpperCase()}`);
      b.setAttribute('aria-label', exportLabel(s, format.toUpperCase()));
      b.addEventListener('click', () => channel.postMessage({ type: 'export', resultId: s.resultId as string, format }));
      actions.append(b);
    }
    facts.append(actions);
  }
  d.append(facts);
  d.append(el('p', 'why', `Why: ${s.reason}`));
  return d;
}

function buildGrid(s: SqlStatementResult, host: HTMLElement): void {
  table?.destroy();
  table = null;
  grid = null;
  if (!s.resultId) return;
  grid = { resultId: s.resultId, pages: new Set(), rows: s.rowCount };
  // The first rows came with the run: their page needs no request unless it is only partly there.
  const data: GridRow[] = Array.from({ length: s.rowCount }, (_, i) => (i < s.firstRows.length ? rowObject(i, s.firstRows[i]) : { __i: i, __loaded: false }));
  if (s.complete && s.firstRows.length >= Math.min(PAGE_ROWS, s.rowCount)) grid.pages.add(0);
  const columns: ColumnDefinition[] = [
    { title: '#', field: '__i', formatter: (c) => el('span', 'rownum', String((c.getValue() as number) + 1)), headerSort: false, resizable: false, hozAlign: 'right', width: 72 },
    ...s.columns.map((name, j): ColumnDefinition => ({ title: name, field: `c${j}`, formatter: cellFormatter, headerSort: false, width: 16 + 8 * columnChars(name, s.firstRows.map((r) => r[j])) })),
  ];
  const top = host.getBoundingClientRect().top;
  table = new Tabulator(host, {
    data,
    columns,
    index: '__i',
    layout: 'fitDataStretch',
    height: `${Math.max(240, window.innerHeight - top - 16)}px`,
    renderVertical: 'virtual',
  });
}

function render(): void {
  app.replaceChildren();
  if (!run) {
    app.append(el('p', undefined, 'Waiting for results…'));
    return;
  }
  const s = run.statements[selected] ?? run.statements[0];
  listEl = statementList(run);
  detailEl = null;
  app.append(header(run), listEl);
  if (!s) return;
  detailEl = detail(s);
  app.append(detailEl);
  status.textContent = '';
  app.append(status);
  const host = el('div', 'grid');
  host.setAttribute('role', 'region');
  host.setAttribute('aria-label', `Rows of statement ${s.index + 1}`);
  app.append(host);
  buildGrid(s, host);
}

/** A loading result is complete (or failed part way): redraw its facts, grow the grid to the final count. */
function completed(done: SqlResultDone): void {
  const next = run ? applyDone(run, done) : null;
  if (!next) return;
  run = next;
  const list = statementList(next);
  listEl?.replaceWith(list);
  listEl = list;
  const s = next.statements[selected];
  if (detailEl && s) {
    const d = detail(s);
    detailEl.replaceWith(d);
    detailEl = d;
  }
  if (!table || grid?.resultId !== done.resultId) return;
  const had = grid.rows;
  // The page holding the first row that had not arrived may have been served in part: ask again.
  grid.pages.delete(pageToRefetch(had));
  grid.rows = Math.max(had, done.rowCount);
  if (done.rowCount <= had) return;
  // One replace keeps the scroll position; addData would re-list the rows once per row added (quadratic).
  const rows = (table.getData() as GridRow[]).concat(Array.from({ length: done.rowCount - had }, (_, k): GridRow => ({ __i: had + k, __loaded: false })));
  void table.replaceData(rows);
}

window.addEventListener('resize', () => {
  const host = document.querySelector('.grid');
  if (table && host) void table.setHeight(Math.max(240, window.innerHeight - host.getBoundingClientRect().top - 16));
});

render();
channel.postMessage({ type: 'ready' });
