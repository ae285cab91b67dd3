import type { LagHostMessage, LagPageMessage } from '../protocol/index.js';
import { HEIGHT, lagRows, WIDTH } from './lagPageView.js';
import { hostChannel } from './vscodeApi.js';

const app = document.getElementById('app') as HTMLElement;
const SVG = 'http://www.w3.org/2000/svg';

function svgEl(name: string, attrs: Record<string, string>): SVGElement {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

function render(msg: LagHostMessage): void {
  if (msg.type === 'idle') {
    const p = document.createElement('p');
    p.textContent = msg.message;
    app.replaceChildren(p);
    return;
  }
  const view = lagRows(msg);
  const h = document.createElement('h1');
  h.textContent = view.title;
  const table = document.createElement('table');
  for (const row of view.rows) {
    const tr = table.insertRow();
    tr.className = `lag ${row.state}`;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = row.name;
    tr.appendChild(th);
    tr.insertCell().textContent = row.value;
    const chart = svgEl('svg', { width: String(WIDTH), height: String(HEIGHT), viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': `${row.name} lag history` });
    chart.appendChild(svgEl('line', { x1: '0', x2: String(WIDTH), y1: String(row.warnY), y2: String(row.warnY), stroke: 'currentColor', 'stroke-opacity': '0.4', 'stroke-dasharray': '3 3' }));
    chart.appendChild(svgEl('polyline', { points: row.points, fill: 'none', stroke: 'currentColor', 'stroke-width': '1.5' }));
    tr.insertCell().appendChild(chart);
    tr.insertCell().textContent = row.reason;
  }
  app.replaceChildren(h, table);
}

const channel = hostChannel<LagPageMessage, LagHostMessage>(render);
app.textContent = 'Waiting for lag samples…';
channel.postMessage({ type: 'ready' });
