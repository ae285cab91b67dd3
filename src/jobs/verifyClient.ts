/**
 * The extension's side of verification: sends VerifyRequest / RepairRequest to the worker and routes
 * progress notifications to the caller that asked (one handler per notification type is all the
 * client allows, so requests are told apart by their verifyId).
 */
import { randomUUID } from 'node:crypto';
import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { Ctx } from '../ctx.js';
import type { RepairResult, RepairSpec, VerifyProgress, VerifyReport, VerifySpec } from '../protocol/index.js';
import { RepairRequest, VerifyProgressNotification, VerifyRequest } from '../protocol/index.js';

export class VerifyClient implements vscode.Disposable {
  private readonly listeners = new Map<string, (event: VerifyProgress) => void>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly ctx: Ctx) {
    // One handler per worker process, in that worker's scope (renewed when the worker restarts).
    this.subscription = ctx.worker.onDidStart((scope) =>
      scope.own(scope.client.onNotification(VerifyProgressNotification, ({ verifyId, event }) => this.listeners.get(verifyId)?.(event))),
    );
  }

  private client(): Promise<LanguageClient> {
    return this.ctx.worker.ready();
  }

  dispose(): void {
    this.subscription.dispose();
  }

  async verify(spec: VerifySpec, onEvent: (event: VerifyProgress) => void, token?: vscode.CancellationToken): Promise<VerifyReport> {
    const client = await this.client();
    const verifyId = randomUUID();
    this.listeners.set(verifyId, onEvent);
    try {
      return await client.sendRequest(VerifyRequest, { verifyId, spec }, token);
    } finally {
      this.listeners.delete(verifyId);
    }
  }

  async repair(spec: RepairSpec): Promise<RepairResult> {
    return (await this.client()).sendRequest(RepairRequest, { spec });
  }
}

/** One line for a progress notification. */
export function describeVerifyEvent(event: VerifyProgress): string | undefined {
  switch (event.type) {
    case 'table-start':
      return `${event.table}: checking (~${event.estimatedRows.toLocaleString('en-US')} rows)`;
    case 'chunk':
      return `${event.table}: ${event.rowsChecked.toLocaleString('en-US')} rows checked`;
    case 'table-done':
      return `${event.verdict.table}: ${event.verdict.status}`;
    case 'throttle':
      return event.throttle.throttled ? `waiting: ${event.throttle.reason ?? 'throttled'}` : undefined;
    case 'replica-wait':
      return `${event.table}: waiting for the replica to reach ${event.gtid}`;
    default:
      return undefined;
  }
}
