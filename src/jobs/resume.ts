/**
 * Resume from a checkpoint needs the passwords the stored spec left out: find the profile server
 * each endpoint was (same host, port and user), preferring target profiles for the target and the
 * others for the source. vscode-free, so unit-tested.
 */
import { sameServer, serversOf, type ProfileSetting, type ServerSetting } from '../engine/topology/profileModel.js';
import type { ServerSpec } from '../engine/jobs/types.js';

export interface ProfileServer {
  profile: ProfileSetting;
  server: ServerSetting;
}

/** The profile server matching `spec` (host, port, user); `prefer` picks among several matches. */
export function findProfileServer(profiles: readonly ProfileSetting[], spec: Pick<ServerSpec, 'host' | 'port' | 'user'>, prefer: 'target' | 'source'): ProfileServer | undefined {
  const wanted: ServerSetting = { host: spec.host, port: spec.port, user: spec.user };
  const matches: ProfileServer[] = [];
  for (const profile of profiles) for (const { server } of serversOf(profile)) if (sameServer(server, wanted)) matches.push({ profile, server });
  const preferred = matches.find((m) => !!m.profile.target === (prefer === 'target'));
  return preferred ?? matches[0];
}
