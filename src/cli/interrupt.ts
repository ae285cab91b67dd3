/**
 * Ctrl-C (or SIGTERM) while a command works: the first asks the work to stop cleanly (`onFirst`),
 * the second leaves at once with the cancelled exit code. The handlers live exactly as long as the work.
 */
import { EXIT } from './exit-codes.js';

export async function untilDone<T>(work: () => Promise<T>, onFirst: () => void): Promise<T> {
  let count = 0;
  const handler = () => {
    if (++count === 1) onFirst();
    else process.exit(EXIT.cancelled);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  try {
    return await work();
  } finally {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
}
