/** The plan as the text a person confirms (CLI output and the palette command's modal). Pure. */
import { rangeLabel, targetLabel, type PartitionMap } from './types.js';

function size(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${mb.toFixed(1)} MB`;
}

export function planLines(map: PartitionMap): string[] {
  const total = map.ranges.reduce((s, r) => s + r.rows, 0);
  const lines = [`Split ${targetLabel(map.source)}.${map.table} by ${map.keyColumn} (${map.keyType}) into ${map.ranges.length} ranges, ${total} rows:`];
  map.ranges.forEach((r, i) => {
    lines.push(`  ${i}: ${map.keyColumn} in ${rangeLabel(r)} -> ${targetLabel(r.target)}.${map.table}: ${r.rows} rows, ~${size(r.bytes)}`);
  });
  return lines;
}
