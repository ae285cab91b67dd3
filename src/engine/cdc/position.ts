/** Ordering of binlog positions: files are numbered `name.000123`, positions are byte offsets within one. */
import type { BinlogPosition } from './types.js';

function fileNumber(file: string): number {
  const m = /\.(\d+)$/.exec(file);
  if (!m) throw new Error(`unexpected binlog file name ${JSON.stringify(file)} (expected NAME.NNNNNN)`);
  return Number(m[1]);
}

/** <0 when a is before b, 0 when equal, >0 after. */
export function comparePositions(a: BinlogPosition, b: BinlogPosition): number {
  const fa = fileNumber(a.file);
  const fb = fileNumber(b.file);
  if (fa !== fb) return fa - fb;
  return a.position - b.position;
}

export function formatPosition(p: BinlogPosition | null): string {
  return p ? `${p.file}:${p.position}` : '(none)';
}
