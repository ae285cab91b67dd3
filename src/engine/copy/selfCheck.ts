/** The copy's own count check, run before a table is marked done. */

/**
 * A table is done only when the rows its chunks wrote add up to COUNT(*) of the snapshot they were
 * read from (over the key range this run copied): anything else is a lost or doubled row.
 */
export function selfCheck(table: string, written: number, expected: number): void {
  if (written === expected) return;
  throw new Error(
    `${table}: self-check failed: ${written.toLocaleString('en-US')} rows written, but the snapshot has ${expected.toLocaleString('en-US')} ` +
      `(COUNT(*) in the same snapshot); the table is not marked done`,
  );
}
