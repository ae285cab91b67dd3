/** The public surface of engine/jobs: the worker, the CLI and the extension import from here, not past it. */
export * from './checkpoint.js';
export * from './jobRecord.js';
export * from './jobSummary.js';
export * from './jobView.js';
export * from './format.js';
export * from './progress.js';
export * from './redact.js';
export * from './report.js';
export * from './types.js';
