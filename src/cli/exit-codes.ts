/** Documented exit codes of rw-migrate (also in --help). */
export const EXIT = {
  ok: 0,
  failed: 1,
  badInput: 2,
  refused: 3,
  cancelled: 4,
} as const;

export const EXIT_HELP = `Exit codes:
  0  the copy finished
  1  the copy failed (connection lost, server error)
  2  bad input (options, URLs, a server that cannot be reached or refuses the login)
  3  refused before copying (no key, schema mismatch, non-empty target, a target that is a replica)
  4  cancelled (Ctrl-C); resume with: rw-migrate resume JOB`;

/** The exit code of a finished run whose state is one of the shared ones (done, refused, cancelled; anything else failed). */
export function exitForState(state: string): number {
  switch (state) {
    case 'done':
      return EXIT.ok;
    case 'refused':
      return EXIT.refused;
    case 'cancelled':
      return EXIT.cancelled;
    default:
      return EXIT.failed;
  }
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
