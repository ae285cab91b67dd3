// Extension-host test suite entry, in the @vscode/test-electron contract: the host loads this module and awaits run().
// The extension host exits 0 even when run() rejects, so the suite also writes its own results file
// (env RW_HOST_RESULTS, default <repo>/test-results/host-results.json) and the runner judges that file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { metrics } from './metrics';

export interface HostTestResult {
  title: string;
  fullTitle: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  message?: string;
  stack?: string;
}

export interface HostResults {
  passes: number;
  failures: number;
  pending: number;
  tests: HostTestResult[];
  failuresDetail: { title: string; message: string }[];
  metrics: Record<string, number | string>;
  error?: string;
  finishedAt: string;
}

function resultsPath(): string {
  // out/test/host/index.js -> repo root is three folders up.
  return process.env.RW_HOST_RESULTS ?? path.resolve(__dirname, '..', '..', '..', 'test-results', 'host-results.json');
}

function writeResults(results: HostResults): void {
  const file = resultsPath();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(results, null, 2) + '\n');
  fs.renameSync(tmp, file); // the runner polls for the file: never let it see half of it
}

export async function run(): Promise<void> {
  const tests: HostTestResult[] = [];
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => path.join(__dirname, f));
  try {
    if (files.length === 0) throw new Error(`No *.test.js suites next to ${__filename}`);
    for (const f of files) mocha.addFile(f);
    const failures = await new Promise<number>((resolve, reject) => {
      try {
        const runner = mocha.run((n) => resolve(n));
        runner.on('pass', (t) => tests.push({ title: t.title, fullTitle: t.fullTitle(), state: 'passed', durationMs: t.duration }));
        runner.on('fail', (t, err: Error) =>
          tests.push({ title: t.title, fullTitle: t.fullTitle(), state: 'failed', durationMs: t.duration, message: err?.message ?? String(err), stack: err?.stack }),
        );
        runner.on('pending', (t) => tests.push({ title: t.title, fullTitle: t.fullTitle(), state: 'pending' }));
      } catch (e) {
        reject(e);
      }
    });
    const results = summarize(tests);
    writeResults(results);
    if (failures > 0) throw new Error(`${failures} host test(s) failed`);
  } catch (e) {
    const err = e as Error;
    if (!fs.existsSync(resultsPath()) || tests.length === 0) {
      writeResults({ ...summarize(tests), error: err.stack ?? err.message });
    }
    throw err;
  }
}

function summarize(tests: HostTestResult[]): HostResults {
  const failed = tests.filter((t) => t.state === 'failed');
  return {
    passes: tests.filter((t) => t.state === 'passed').length,
    failures: failed.length,
    pending: tests.filter((t) => t.state === 'pending').length,
    tests,
    failuresDetail: failed.map((t) => ({ title: t.fullTitle, message: t.message ?? '' })),
    metrics: { ...metrics },
    finishedAt: new Date().toISOString(),
  };
}
