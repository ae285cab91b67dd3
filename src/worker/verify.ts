/**
 * Runs verifications and repairs in the worker. Verification only reads; repair writes to the one
 * target named in its spec, and the engine refuses it without the confirmation flag.
 */
import type { Connection } from 'vscode-languageserver/node';
import { repair } from '../engine/verify/index.js';
import { verify } from '../engine/verify/index.js';
import { RepairRequest, VerifyProgressNotification, VerifyRequest } from '../protocol/index.js';

export function registerVerifyHandlers(connection: Connection): void {
  connection.onRequest(VerifyRequest, ({ verifyId, spec }, token) =>
    verify(spec, {
      onEvent: (event) => void connection.sendNotification(VerifyProgressNotification, { verifyId, event }),
      cancelled: () => token.isCancellationRequested,
    }),
  );

  connection.onRequest(RepairRequest, ({ spec }) => repair(spec));
}
