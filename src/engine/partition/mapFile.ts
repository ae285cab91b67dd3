/**
 * The partition map on disk: one JSON file per partitioned table. Why a file and not settings: the
 * map is data the whole team (and CI, and the CLI, which never reads VS Code settings) must agree on,
 * so it belongs in the repository next to the code whose queries it routes, is reviewed like code,
 * and is written atomically (temp file + rename) so a crash never leaves half a map. The extension
 * keeps it at `.rw-migrate/partitions/<profile>/<database>.<table>.json` in the workspace; the CLI
 * takes `--map FILE`. It holds no passwords.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mapProblems } from './map.js';
import type { PartitionMap } from './types.js';

export function readMap(file: string): PartitionMap {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read partition map ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const problems = mapProblems(data);
  if (problems.length) throw new Error(`partition map ${file} is not usable:\n  ${problems.join('\n  ')}`);
  return data as PartitionMap;
}

export function writeMap(file: string, map: PartitionMap): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(map, null, 2) + '\n');
  fs.renameSync(tmp, file);
}
