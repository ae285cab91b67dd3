/**
 * The chunk size that keeps each chunk near a target time (pt-online-schema-change's weighted
 * average) without exceeding a byte cap.
 */
export interface ChunkSizerOptions {
  targetSeconds: number;
  initialRows: number;
  minRows: number;
  maxRows: number;
  maxBytes: number;
}

export class ChunkSizer {
  private rate: number | null = null;
  private bytesPerRow: number | null = null;
  private readonly weight = 0.75;

  constructor(private readonly opts: ChunkSizerOptions) {}

  /** Record a finished chunk: rows written, their encoded bytes, and the time its write took. */
  observe(rows: number, bytes: number, seconds: number): void {
    if (rows <= 0) return;
    const r = rows / Math.max(seconds, 0.001);
    this.rate = this.rate === null ? r : this.weight * this.rate + (1 - this.weight) * r;
    const b = bytes / rows;
    this.bytesPerRow = this.bytesPerRow === null ? b : Math.max(b, this.weight * this.bytesPerRow + (1 - this.weight) * b);
  }

  /** Tells the sizer about a row width seen while reading, before any write finished. */
  observeWidth(rows: number, bytes: number): void {
    if (rows <= 0) return;
    const b = bytes / rows;
    this.bytesPerRow = this.bytesPerRow === null ? b : Math.max(this.bytesPerRow, b);
  }

  next(): number {
    const { targetSeconds, initialRows, minRows, maxRows, maxBytes } = this.opts;
    let n = this.rate === null ? initialRows : this.rate * targetSeconds;
    if (this.bytesPerRow) n = Math.min(n, maxBytes / this.bytesPerRow);
    return Math.max(minRows, Math.min(maxRows, Math.floor(n)));
  }
}
