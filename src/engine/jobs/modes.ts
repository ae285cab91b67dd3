/**
 * What each job mode can and cannot see, in words shared by the CLI, the job's result and the
 * editor's strategy picker. Pure (no driver import): the extension host may import it by path.
 */

/**
 * The blind spots of `--mode incremental`, said at its start, in its result and in the strategy
 * picker: a row is copied only when its watermark column moves past the stored mark.
 */
export const INCREMENTAL_BLIND_SPOTS =
  'Incremental mode copies only rows whose watermark column is above the stored mark: it sees neither deletes nor updates that leave that column alone ' +
  '(`rw-migrate sync` of a binlog job, or --mode hybrid, sees every change).';

/** What the safety window means (CLI help, the job's log). */
export const WATERMARK_SAFETY_HELP =
  'rows whose watermark column is within SECONDS of the source clock are copied, but the stored mark stays below them so the next run reads them again: ' +
  'a transaction that commits late with an older timestamp is still seen (set it above your longest write transaction; temporal columns only; ' +
  "DATETIME/DATE columns are compared in the source's @@global.time_zone, TIMESTAMP in UTC)";
