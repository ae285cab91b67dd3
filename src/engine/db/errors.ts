/**
 * Refusals are expected outcomes (bad key, schema mismatch, non-empty target) and map to their own
 * exit code; everything else is a failure.
 */
export class RefusedError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'RefusedError';
  }
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
