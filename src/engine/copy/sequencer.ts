/**
 * CommitSequencer: writers load chunks in parallel but commit them in the order they were cut.
 * That keeps each table's committed chunks a contiguous key prefix, so a kill at any moment leaves
 * one watermark per table and resume never has holes to find.
 */
export class CommitSequencer {
  private next = 0;
  private waiters = new Map<number, () => void>();
  private failure: Error | null = null;
  private failWaiters = new Set<(err: Error) => void>();

  constructor(start = 0) {
    this.next = start;
  }

  /** Resolves when every chunk numbered below `seq` has committed. */
  turn(seq: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (seq === this.next) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onFail = (err: Error) => {
        this.waiters.delete(seq);
        reject(err);
      };
      this.failWaiters.add(onFail);
      this.waiters.set(seq, () => {
        this.failWaiters.delete(onFail);
        resolve();
      });
    });
  }

  committed(seq: number): void {
    if (seq !== this.next) throw new Error(`chunk ${seq} committed out of turn (expected ${this.next})`);
    this.next++;
    const w = this.waiters.get(this.next);
    if (w) {
      this.waiters.delete(this.next);
      w();
    }
  }

  /** A chunk that will never commit: release everyone waiting, with the error. */
  fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const f of this.failWaiters) f(err);
    this.failWaiters.clear();
  }
}
