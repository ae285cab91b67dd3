/**
 * A local list of the jobs this user started (id -> target URL without password), so
 * `rw-migrate resume JOB` knows where the job's checkpoint lives without --to.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RegistryEntry {
  id: string;
  to: string;
  createdAt: string;
}

export function registryFile(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.RW_MIGRATE_HOME ?? path.join(os.homedir(), '.rw-migrate');
  return path.join(home, 'jobs.json');
}

export function readRegistry(file = registryFile()): RegistryEntry[] {
  try {
    const data: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return Array.isArray(data) ? (data as RegistryEntry[]) : [];
  } catch {
    return [];
  }
}

export function remember(entry: RegistryEntry, file = registryFile()): void {
  const entries = readRegistry(file).filter((e) => e.id !== entry.id);
  entries.unshift(entry);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(entries.slice(0, 200), null, 2), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function lookup(id: string, file = registryFile()): RegistryEntry | null {
  return readRegistry(file).find((e) => e.id === id) ?? null;
}
