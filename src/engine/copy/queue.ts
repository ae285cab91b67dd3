export interface QueueBudget<T> {
  /** Most cost queued at once; one item is always let in, however costly, so nothing stalls. */
  maxCost: number;
  cost: (item: T) => number;
}

/**
 * A bounded FIFO between the reader and the writers: read-ahead without unbounded memory. Bounded
 * by item count and, with a budget, by the items' cost (the chunks' bytes).
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private takers: ((v: T | null) => void)[] = [];
  private putters: (() => void)[] = [];
  private closed = false;
  private queuedCost = 0;

  constructor(
    private readonly capacity: number,
    private readonly budget?: QueueBudget<T>,
  ) {}

  /** Queued items and their total cost (for tests and tracing). */
  get size(): { items: number; cost: number } {
    return { items: this.items.length, cost: this.queuedCost };
  }

  private full(cost: number): boolean {
    if (this.items.length >= this.capacity) return true;
    return !!this.budget && this.items.length > 0 && this.queuedCost + cost > this.budget.maxCost;
  }

  async put(item: T): Promise<boolean> {
    const cost = this.budget ? this.budget.cost(item) : 0;
    while (!this.closed && this.full(cost)) {
      await new Promise<void>((r) => this.putters.push(r));
    }
    if (this.closed) return false;
    const taker = this.takers.shift();
    if (taker) taker(item);
    else {
      this.items.push(item);
      this.queuedCost += cost;
    }
    return true;
  }

  async take(): Promise<T | null> {
    const item = this.items.shift();
    if (item !== undefined) {
      if (this.budget) this.queuedCost -= this.budget.cost(item);
      this.putters.shift()?.();
      return item;
    }
    if (this.closed) return null;
    return new Promise<T | null>((r) => this.takers.push(r));
  }

  /** No more puts; takers drain what is queued, then get null. */
  end(): void {
    this.closed = true;
    for (const t of this.takers.splice(0)) t(null);
    for (const p of this.putters.splice(0)) p();
  }

  /** Drop everything queued (cancel, failure). */
  abort(): void {
    this.items = [];
    this.queuedCost = 0;
    this.end();
  }
}
