/**
 * The partition maps Run SQL follows: the files Partition Table by Key Range… saved for a profile
 * (.rw-migrate/partitions/<profile>/*.json in the workspace, see engine/partition/mapFile.ts), and the
 * profile servers that reach their targets, matched by host:port (passwords from SecretStorage, as
 * ui/servers.ts reads them). A map file that does not parse stops the run: routing writes by a map
 * we cannot read could put rows in the wrong range.
 */
import * as vscode from 'vscode';
import type { ProfileStore } from '../connections/profiles.js';
import { mapFileSegments, mapProblems } from '../engine/partition/map.js';
import type { PartitionMap } from '../engine/partition/types.js';
import type { ServerRef } from '../engine/topology/types.js';

export interface SavedMaps {
  maps: PartitionMap[];
  servers: ServerRef[];
}

async function mapFiles(folder: vscode.Uri): Promise<vscode.Uri[]> {
  try {
    const entries = await vscode.workspace.fs.readDirectory(folder);
    return entries.filter(([name, type]) => type === vscode.FileType.File && name.endsWith('.json')).map(([name]) => vscode.Uri.joinPath(folder, name)).sort((a, b) => a.path.localeCompare(b.path));
  } catch {
    return []; // no maps saved for this profile
  }
}

/** The maps saved for `profile` under `root`, and every profile server at one of their targets. */
export async function savedMaps(root: vscode.Uri, profile: string, store: ProfileStore): Promise<SavedMaps> {
  const folder = vscode.Uri.joinPath(root, ...mapFileSegments(profile, 'x', 'x').slice(0, -1));
  const maps: PartitionMap[] = [];
  for (const file of await mapFiles(folder)) {
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8'));
    } catch (err) {
      throw new Error(`cannot read partition map ${vscode.workspace.asRelativePath(file)}: ${err instanceof Error ? err.message : String(err)}. Fix or remove the file.`);
    }
    const problems = mapProblems(data);
    if (problems.length) throw new Error(`partition map ${vscode.workspace.asRelativePath(file)} is not usable: ${problems.join('; ')}. Fix or remove the file.`);
    maps.push(data as PartitionMap);
  }
  const wanted = new Set(maps.filter((m) => m.state === 'split').flatMap((m) => m.ranges.map((r) => `${r.target.host}:${r.target.port}`)));
  const servers: ServerRef[] = [];
  if (wanted.size) {
    for (const p of store.all()) {
      for (const s of [p.primary, ...(p.replicas ?? [])]) {
        const ref = await store.ref(p.name, s);
        if (wanted.has(`${ref.host}:${ref.port}`)) servers.push(ref);
      }
    }
  }
  return { maps, servers };
}
