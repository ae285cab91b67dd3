/**
 * Progress page: one copy job. Renders the host's snapshots through the pure progressView model, draws
 * rows/s and replica lag with uPlot, and sends Pause / Resume / Cancel. The last state is kept with
 * setState so a reload shows it at once, before the host's replay arrives.
 */
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css';
import pageCss from '../../media/progress.css';
import type { ProgressHostMessage, ProgressPageMessage, ProgressSample, ProgressSnapshot } from '../protocol/index.js';
import { chartData, chartWorthShowing, hybridChartData, mergeSamples, progressView } from './progressView.js';
import type { JobMode } from '../engine/jobs/types.js';
import { hostChannel } from './vscodeApi.js';
import { adoptCss, el } from './dom.js';

interface PageState {
  snapshot: ProgressSnapshot;
  history: ProgressSample[];
}

adoptCss(uplotCss, pageCss);
const app = document.getElementById('app') as HTMLElement;

const title = el('h1');
const badge = el('span', 'badge');
const header = el('div', 'header');
header.append(title, badge);
const phase = el('p', 'phase');
phase.setAttribute('role', 'status');
phase.setAttribute('aria-label', 'Phase');
const bar = el('div', 'bar');
const fill = el('div', 'bar-fill');
bar.append(fill);
bar.setAttribute('role', 'progressbar');
bar.setAttribute('aria-label', 'Rows copied');
bar.setAttribute('aria-valuemin', '0');
bar.setAttribute('aria-valuemax', '100');
const percent = el('span', 'percent');
const barRow = el('div', 'bar-row');
barRow.append(percent, bar);
const rows = el('p', 'rows');
const stats = el('dl', 'stats');
const stat = (label: string): HTMLElement => {
  const dd = el('dd');
  stats.append(el('dt', undefined, label), dd);
  return dd;
};
const rate = stat('Rate');
const eta = stat('Time');
const table = stat('Current');
const chunk = stat('Chunk');
// Hybrid: the change stream, once the job follows it.
const streamBox = el('section', 'stream hidden');
streamBox.setAttribute('aria-label', 'Change stream');
const streamStats = el('dl', 'stats');
const streamStat = (label: string): HTMLElement => {
  const dd = el('dd');
  streamStats.append(el('dt', undefined, label), dd);
  return dd;
};
const behind = streamStat('Delay');
const eventsRate = streamStat('Applying');
const eventsBehind = streamStat('Queued');
const applied = streamStat('Applied');
const position = streamStat('Position');
streamBox.append(el('h2', undefined, 'Change stream'), streamStats);
const throttle = el('p', 'throttle');
throttle.setAttribute('role', 'status');
const pauseBtn = el('button', undefined, 'Pause');
const resumeBtn = el('button', undefined, 'Resume');
const cancelBtn = el('button', 'secondary', 'Cancel');
pauseBtn.setAttribute('aria-label', 'Pause the copy job');
resumeBtn.setAttribute('aria-label', 'Resume the copy job');
cancelBtn.setAttribute('aria-label', 'Cancel the copy job');
const cutoverBtn = el('button', 'hidden', 'Cut Over…');
cutoverBtn.setAttribute('aria-label', 'Cut over to the target');
const cutoverNote = el('p', 'cutover-note hidden');
const liftBox = el('pre', 'lift hidden');
liftBox.setAttribute('aria-label', 'Statements that lift the block on the source');
const actions = el('div', 'actions');
actions.append(cutoverBtn, pauseBtn, resumeBtn, cancelBtn);
const chart = el('figure', 'chart');
chart.setAttribute('aria-label', 'Rows per second and replica lag over time');
chart.append(el('figcaption', undefined, 'Rows per second and worst replica lag over time'));
const errorsBox = el('section', 'errors hidden');
const errorsList = el('ul');
errorsBox.append(el('h2', undefined, 'Errors and warnings'), errorsList);

let state: PageState | undefined;
let plot: uPlot | undefined;
/** The mode the chart was built for: a hybrid job's chart has two more series. */
let plotMode: JobMode | undefined;
const caption = chart.querySelector('figcaption') as HTMLElement;

function themeColor(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function dataFor(mode: JobMode, history: PageState['history']): uPlot.AlignedData {
  return mode === 'hybrid' ? hybridChartData(history) : chartData(history);
}

function buildChart(): void {
  plot?.destroy();
  const mode: JobMode = state?.snapshot.mode ?? 'full';
  plotMode = mode;
  const hybrid = mode === 'hybrid';
  caption.textContent = hybrid
    ? 'Rows copied and change events applied per second, worst replica lag and delay behind the source over time'
    : 'Rows per second and worst replica lag over time';
  chart.setAttribute('aria-label', caption.textContent);
  const fg = themeColor('--vscode-descriptionForeground', themeColor('--vscode-foreground', '#888'));
  const grid = themeColor('--vscode-editorWidget-border', themeColor('--vscode-panel-border', '#8884'));
  const axis = (scale: string, label: string, side?: number): uPlot.Axis => ({
    scale,
    label,
    // Room for "150,000" beside the axis label.
    size: 64,
    stroke: fg,
    grid: { stroke: grid, width: 1, show: side === undefined },
    ticks: { stroke: grid, width: 1 },
    ...(side !== undefined ? { side } : {}),
  });
  plot = new uPlot(
    {
      width: Math.max(280, Math.min(760, app.clientWidth - 8)),
      height: 200,
      cursor: { drag: { x: false, y: false } },
      legend: { live: false },
      scales: { x: { time: false }, rate: { range: (_u, _min, max) => [0, Math.max(10, max * 1.1)] }, lag: { range: (_u, _min, max) => [0, Math.max(2, max * 1.2)] } },
      axes: [
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, label: 'seconds' },
        axis('rate', hybrid ? 'rows/s, events/s' : 'rows/s'),
        axis('lag', hybrid ? 'lag, delay s' : 'lag s', 1),
      ],
      series: [
        { label: 't (s)' },
        { label: 'rows/s', scale: 'rate', stroke: themeColor('--vscode-charts-blue', '#3794ff'), width: 2 },
        { label: 'lag (s)', scale: 'lag', stroke: themeColor('--vscode-charts-orange', '#d18616'), width: 2, spanGaps: false },
        ...(hybrid
          ? [
              { label: 'events/s', scale: 'rate', stroke: themeColor('--vscode-charts-green', '#89d185'), width: 2 },
              { label: 'behind source (s)', scale: 'lag', stroke: themeColor('--vscode-charts-red', '#f14c4c'), width: 2, dash: [6, 3], spanGaps: false },
            ]
          : []),
      ],
    },
    dataFor(mode, state?.history ?? []),
    chart,
  );
}

/** A stat line: the view model's text, or the line hidden with its label when the text is empty. */
function setStat(dd: HTMLElement, text: string): void {
  dd.textContent = text;
  dd.classList.toggle('hidden', text === '');
  (dd.previousElementSibling as HTMLElement).classList.toggle('hidden', text === '');
}

function setEnabled(button: HTMLButtonElement, enabled: boolean): void {
  button.disabled = !enabled;
}

function render(): void {
  if (!state) return;
  const v = progressView(state.snapshot, state.history);
  document.title = v.title;
  title.textContent = v.title;
  phase.textContent = v.phaseText;
  phase.classList.toggle('hidden', v.phaseText === '');
  streamBox.classList.toggle('hidden', v.stream === null);
  if (v.stream) {
    setStat(behind, v.stream.behindText);
    setStat(eventsRate, v.stream.eventsRateText);
    setStat(eventsBehind, v.stream.eventsBehindText);
    setStat(applied, v.stream.appliedText);
    setStat(position, v.stream.positionText);
  }
  cutoverBtn.classList.toggle('hidden', !v.showCutover);
  setEnabled(cutoverBtn, v.canCutover);
  cutoverNote.textContent = v.cutoverText;
  cutoverNote.classList.toggle('hidden', v.cutoverText === '');
  liftBox.textContent = v.liftStatements.join('\n');
  liftBox.classList.toggle('hidden', v.liftStatements.length === 0);
  badge.textContent = v.stateText;
  badge.className = v.ok ? 'badge' : 'badge bad';
  bar.classList.toggle('indeterminate', v.percent === null);
  fill.style.width = `${v.percent ?? 0}%`;
  if (v.percent === null) bar.removeAttribute('aria-valuenow');
  else bar.setAttribute('aria-valuenow', v.percent.toFixed(1));
  bar.setAttribute('aria-valuetext', `${v.percentText}, ${v.rowsText}`);
  percent.textContent = v.percentText;
  rows.textContent = v.rowsText;
  setStat(rate, v.rateText);
  setStat(eta, v.etaText);
  setStat(table, v.tableText);
  setStat(chunk, v.chunkText);
  throttle.textContent = v.throttleText;
  throttle.classList.toggle('on', v.throttled);
  setEnabled(pauseBtn, v.canPause);
  setEnabled(resumeBtn, v.canResume);
  setEnabled(cancelBtn, v.canCancel);
  actions.classList.toggle('hidden', v.finished);
  errorsBox.classList.toggle('hidden', v.errors.length === 0);
  errorsList.replaceChildren(...v.errors.map((e) => el('li', undefined, e)));
  // One sample is a dot on an empty axis: a job that short has nothing to chart.
  chart.classList.toggle('hidden', !chartWorthShowing(state.history));
  if (!plot || plotMode !== v.mode) buildChart();
  else plot.setData(dataFor(v.mode, state.history));
}

function onMessage(msg: ProgressHostMessage): void {
  switch (msg.type) {
    case 'snapshot':
      state = { snapshot: msg.snapshot, history: msg.history };
      break;
    case 'update':
      state = { snapshot: msg.snapshot, history: mergeSamples(state?.history ?? [], msg.samples) };
      break;
    case 'finished':
      state = { snapshot: msg.snapshot, history: state?.history ?? [] };
      break;
  }
  if (app.firstChild !== header) mount();
  render();
  channel.setState({ snapshot: state.snapshot, history: state.history.slice(-900) });
}

function mount(): void {
  app.replaceChildren(header, phase, barRow, rows, stats, streamBox, throttle, cutoverNote, liftBox, actions, chart, errorsBox);
}

const channel = hostChannel<ProgressPageMessage, ProgressHostMessage, PageState>(onMessage);
const send = (type: 'pause' | 'resume' | 'cancel' | 'cutover', button: HTMLButtonElement) => () => {
  button.disabled = true; // until the next update says what the job does now
  channel.postMessage({ type });
};
pauseBtn.addEventListener('click', send('pause', pauseBtn));
resumeBtn.addEventListener('click', send('resume', resumeBtn));
cancelBtn.addEventListener('click', send('cancel', cancelBtn));
cutoverBtn.addEventListener('click', send('cutover', cutoverBtn));

// Theme switches change the body class: recolour the canvas. Width follows the panel.
new MutationObserver(() => state && buildChart()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
let lastWidth = 0;
new ResizeObserver(() => {
  const w = Math.max(280, Math.min(760, app.clientWidth - 8));
  if (plot && Math.abs(w - lastWidth) > 4) {
    lastWidth = w;
    plot.setSize({ width: w, height: 200 });
  }
}).observe(app);

state = channel.getState();
if (state) {
  mount();
  render();
} else {
  app.textContent = 'Waiting for the job…';
}
channel.postMessage({ type: 'ready' });
