// Numbers the host tests measure (e.g. activation time), written into the results file by index.ts.
// index.js and each *.test.js are separate bundles, so the store lives on globalThis, shared by all of them.
const KEY = Symbol.for('rw-migrate.host-test-metrics');
type Store = Record<string, number | string>;
const g = globalThis as unknown as Record<symbol, Store | undefined>;

export const metrics: Store = (g[KEY] ??= {});

export function record(name: string, value: number | string): void {
  metrics[name] = value;
  console.log(`[rw-migrate host] ${name}: ${value}`);
}
