import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { PingRequest, WorkerInfoRequest } from '../../src/protocol/index.js';
import { startWorker, type WorkerProcess } from '../support/worker.js';

let worker: WorkerProcess;
let rpc: MessageConnection;

before(async () => {
  worker = await startWorker();
  rpc = worker.rpc;
});

after(() => worker.stop());

test('a ping round-trips through the real worker process', async () => {
  const sentAt = Date.now();
  const result = await rpc.sendRequest(PingRequest, { sentAt });
  assert.equal(result.sentAt, sentAt);
  assert.equal(result.pid, worker.child.pid);
  assert.notEqual(result.pid, process.pid);
  assert.match(result.nodeVersion, /^v\d+\./);
  assert.ok(result.rssBytes > 1024 * 1024, `rss ${result.rssBytes}`);
});

test('workerInfo reports a growing uptime', async () => {
  const first = await rpc.sendRequest(WorkerInfoRequest);
  await new Promise((r) => setTimeout(r, 20));
  const second = await rpc.sendRequest(WorkerInfoRequest);
  assert.ok(second.uptimeMs > first.uptimeMs, `${second.uptimeMs} > ${first.uptimeMs}`);
});
