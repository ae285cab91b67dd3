// Runs the rw-migrate CLI from source (tsx) as a child process, collecting its stdout line by line:
// the kill -9 / resume tests need the live process, its lines so far and its exit.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './sandbox.js';

export interface CliRun {
  child: ChildProcess;
  /** Complete stdout lines so far (with `mergeStderr`, stderr chunks too, as `stderr: ...`). */
  lines: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

export function spawnCli(args: string[], env: Record<string, string>, opts: { mergeStderr?: boolean } = {}): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/main.ts'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr.push(d.toString());
    if (opts.mergeStderr) lines.push(`stderr: ${d.toString()}`);
  });
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, lines, stderr, exit };
}
