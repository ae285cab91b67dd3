import type { WorkerInfoHostMessage, WorkerInfoPageMessage } from '../protocol/index.js';
import { hostChannel } from './vscodeApi.js';
import { workerInfoView } from './workerInfoView.js';

const app = document.getElementById('app') as HTMLElement;

function render(msg: WorkerInfoHostMessage): void {
  const view = workerInfoView(msg);
  const heading = document.createElement('h1');
  heading.textContent = 'RW Migrate worker';
  const status = document.createElement('p');
  status.className = view.ok ? 'status ok' : 'status error';
  status.textContent = view.status;
  const table = document.createElement('table');
  for (const row of view.rows) {
    const tr = table.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = row.label;
    tr.appendChild(th);
    tr.insertCell().textContent = row.value;
  }
  const refresh = document.createElement('button');
  refresh.textContent = 'Refresh';
  refresh.addEventListener('click', () => channel.postMessage({ type: 'refresh' }));
  app.replaceChildren(heading, status, table, refresh);
}

const channel = hostChannel<WorkerInfoPageMessage, WorkerInfoHostMessage>(render);
app.textContent = 'Connecting to the worker…';
channel.postMessage({ type: 'ready' });
