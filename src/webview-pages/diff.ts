/**
 * Diff page: the verification report as a sortable, filterable table of tables, a drill-down into one
 * table's differing ranges and rows, and Verify Again / Repair (the host confirms Repair). The report and
 * the view choices are kept with setState so a reload restores both.
 */
import type { VerifyReport } from '../engine/verify/types.js';
import pageCss from '../../media/diff.css';
import type { DiffHostMessage, DiffPageMessage } from '../protocol/index.js';
import { COLUMNS, type DiffUiState, initialUi, repairAction, summaryText, tableDetail, tableRows, toggleSort } from './diffView.js';
import { hostChannel } from './vscodeApi.js';
import { el } from './dom.js';

interface PageState {
  report: VerifyReport;
  ui: DiffUiState;
}

const sheet = new CSSStyleSheet();
sheet.replaceSync(pageCss);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

const app = document.getElementById('app') as HTMLElement;
let state: PageState | undefined;
let busy: { busy: boolean; message?: string } = { busy: false };
/** Restores focus to the control that triggered a re-render (sorting keeps the header focused). */
let refocus: string | null = null;

function update(next: Partial<DiffUiState>): void {
  if (!state) return;
  state = { ...state, ui: { ...state.ui, ...next } };
  save();
  render();
}

function save(): void {
  if (state) channel.setState(state);
}

function header(report: VerifyReport): HTMLElement {
  const h = el('header');
  h.append(el('h1', undefined, `Verification: ${report.database} → ${report.targetDatabase}`));
  h.append(el('p', 'summary', `${report.source} → ${report.target}. ${summaryText(report)}`));
  return h;
}

function toolbar(s: PageState): HTMLElement {
  const bar = el('div', 'toolbar');
  const label = el('label');
  const box = el('input');
  box.type = 'checkbox';
  box.id = 'mismatches-only';
  box.checked = s.ui.mismatchesOnly;
  box.addEventListener('change', () => {
    refocus = '#mismatches-only';
    update({ mismatchesOnly: box.checked });
  });
  label.append(box, document.createTextNode('Mismatches only'));
  const again = el('button', 'secondary', 'Verify Again');
  again.disabled = busy.busy;
  again.addEventListener('click', () => channel.postMessage({ type: 'verifyAgain' }));
  const action = repairAction(s.report);
  const extra: HTMLElement[] = [];
  if (action.kind === 'refused') {
    // A replica or read_only target: no Repair button at all, the reason and the fix instead.
    const note = el('p', 'message refusal', action.explanation);
    note.id = 'repair-refusal';
    note.setAttribute('role', 'note');
    extra.push(note);
  }
  // A clean report offers nothing to repair: a faded primary button there read as "repair is broken".
  const repair = action.kind === 'repair' ? el('button', undefined, action.label) : el('button', 'secondary', action.label);
  repair.disabled = busy.busy || action.kind !== 'repair';
  repair.setAttribute(
    'aria-label',
    action.kind === 'repair'
      ? 'Repair the mismatched tables on the target (asks first)'
      : action.kind === 'refused'
        ? 'Repair is not offered: the target is a replica or read-only (see the note)'
        : 'Nothing to repair: no table has row differences',
  );
  if (action.kind === 'refused') repair.setAttribute('aria-describedby', 'repair-refusal');
  const tables = action.kind === 'repair' ? action.tables : [];
  repair.addEventListener('click', () => channel.postMessage({ type: 'repair', tables }));
  bar.append(label, again, repair);
  if (busy.busy || busy.message) bar.append(el('span', 'busy', busy.message ?? 'Working…'));
  if (!extra.length) return bar;
  const wrap = el('div');
  wrap.append(bar, ...extra);
  return wrap;
}

function tablesTable(s: PageState): HTMLTableElement {
  const table = el('table', 'tables');
  table.setAttribute('aria-label', 'Tables compared');
  const head = table.createTHead().insertRow();
  for (const c of COLUMNS) {
    const th = el('th', c.numeric ? 'num' : undefined);
    th.scope = 'col';
    if (s.ui.sort === c.key) th.setAttribute('aria-sort', s.ui.descending ? 'descending' : 'ascending');
    const b = el('button', 'sort', c.label);
    b.id = `sort-${c.key}`;
    b.setAttribute('aria-label', `Sort by ${c.label}`);
    b.addEventListener('click', () => {
      refocus = `#sort-${c.key}`;
      update(toggleSort(s.ui, c.key));
    });
    th.append(b);
    head.append(th);
  }
  const body = table.createTBody();
  for (const r of tableRows(s.report, s.ui)) {
    const tr = body.insertRow();
    if (r.table === s.ui.selected) tr.className = 'selected';
    const name = tr.insertCell();
    if (r.canDrill) {
      const b = el('button', 'link', r.table);
      b.id = `drill-${r.table}`;
      b.setAttribute('aria-label', `Show the differences in ${r.table}`);
      b.addEventListener('click', () => {
        refocus = '#detail-heading';
        update({ selected: r.table });
      });
      name.append(b);
    } else name.textContent = r.table;
    tr.insertCell().textContent = r.sourceText;
    tr.insertCell().textContent = r.targetText;
    tr.insertCell().textContent = r.deltaText;
    for (const i of [1, 2, 3]) tr.cells[i].className = 'num';
    const status = tr.insertCell();
    status.append(el('span', `status status-${r.status}`, r.statusText));
    if (r.message) status.append(el('div', 'message', r.message));
  }
  return table;
}

function keyList(title: string, cls: string, keys: string[]): HTMLElement[] {
  if (keys.length === 0) return [];
  const ul = el('ul', `keys ${cls}`);
  ul.append(...keys.map((k) => el('li', undefined, k)));
  return [el('h3', undefined, `${title} (${keys.length})`), ul];
}

function detail(s: PageState): HTMLElement | null {
  const verdict = s.report.tables.find((t) => t.table === s.ui.selected);
  if (!verdict) return null;
  const d = tableDetail(verdict, s.report.repairRefusal);
  const section = el('section', 'detail');
  section.setAttribute('aria-label', `Differences in ${verdict.table}`);
  const h = el('h2', undefined, d.title);
  h.id = 'detail-heading';
  h.tabIndex = -1;
  const close = el('button', 'secondary', 'Close');
  close.setAttribute('aria-label', 'Close the table details');
  close.addEventListener('click', () => {
    refocus = `#drill-${verdict.table}`;
    update({ selected: null });
  });
  const repair = el('button', s.report.repairRefusal ? 'secondary' : undefined, s.report.repairRefusal ? 'Repair not offered' : `Repair ${verdict.table}…`);
  repair.disabled = busy.busy || !d.repairable;
  if (s.report.repairRefusal) repair.setAttribute('aria-describedby', 'repair-refusal');
  repair.addEventListener('click', () => channel.postMessage({ type: 'repair', tables: [verdict.table] }));
  const actions = el('div', 'toolbar');
  actions.append(repair, close);
  section.append(h, el('p', 'message', `Key: ${d.keyLabel}`), ...d.notes.map((n) => el('p', 'message', n)), actions);
  if (d.ranges.length) {
    const ul = el('ul');
    ul.append(...d.ranges.map((r) => el('li', 'code', r)));
    section.append(el('h3', undefined, `Differing key ranges (${d.ranges.length})`), ul);
  }
  section.append(...keyList('Missing on the target', 'missing', d.missing), ...keyList('Extra on the target', 'extra', d.extra));
  if (d.different.length) {
    const t = el('table');
    t.setAttribute('aria-label', 'Rows with different values');
    const hr = t.createTHead().insertRow();
    for (const label of ['Key', 'Column', 'Source', 'Target']) {
      const th = el('th', undefined, label);
      th.scope = 'col';
      hr.append(th);
    }
    const body = t.createTBody();
    for (const row of d.different) {
      row.columns.forEach((c, i) => {
        const tr = body.insertRow();
        const key = tr.insertCell();
        key.className = 'code';
        key.textContent = i === 0 ? row.key : '';
        tr.insertCell().textContent = c.name;
        const src = tr.insertCell();
        src.className = 'code src';
        src.textContent = c.source;
        const tgt = tr.insertCell();
        tgt.className = 'code tgt';
        tgt.textContent = c.target;
      });
    }
    section.append(el('h3', undefined, `Different (${d.different.length})`), t);
  }
  return section;
}

function render(): void {
  if (!state) return;
  const d = detail(state);
  app.replaceChildren(header(state.report), toolbar(state), tablesTable(state), ...(d ? [d] : []));
  if (refocus) (app.querySelector(refocus) as HTMLElement | null)?.focus();
  refocus = null;
}

function onMessage(msg: DiffHostMessage): void {
  if (msg.type === 'report') {
    const ui = state?.ui ?? initialUi;
    const selected = ui.selected && msg.report.tables.some((t) => t.table === ui.selected) ? ui.selected : null;
    state = { report: msg.report, ui: { ...ui, selected } };
    busy = { busy: false };
    save();
  } else if (msg.type === 'busy') {
    busy = { busy: msg.busy, ...(msg.message ? { message: msg.message } : {}) };
  }
  render();
}

const channel = hostChannel<DiffPageMessage, DiffHostMessage, PageState>(onMessage);
state = channel.getState();
if (state) render();
else app.textContent = 'Waiting for the verification report…';
channel.postMessage({ type: 'ready' });
