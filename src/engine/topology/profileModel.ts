/**
 * Connection profiles as stored in settings (`rwMigrate.profiles`), and the pure rules around them:
 * defaults, labels, validation and the SecretStorage key of each server's password. No `vscode`
 * here so the rules are unit-tested with node:test.
 */
import type { ServerRef, TlsMode } from './types.js';

export interface ServerSetting {
  host: string;
  port?: number;
  user?: string;
  /** A short label, e.g. "replica1"; host:port when absent. */
  name?: string;
  tls?: TlsMode;
  caFile?: string;
}

export interface ProfileSetting {
  name: string;
  primary: ServerSetting;
  replicas?: ServerSetting[];
  databases?: string[];
  target?: boolean;
  /** Database of the pt-heartbeat compatible table (Set Up Heartbeat): lag from it, not from status. */
  heartbeat?: { database: string };
}

export type Role = 'primary' | 'replica';

export const DEFAULT_PORT = 3306;

export function portOf(s: ServerSetting): number {
  return s.port ?? DEFAULT_PORT;
}

export function userOf(s: ServerSetting): string {
  return s.user ?? 'root';
}

export function serverLabel(s: ServerSetting): string {
  return s.name ?? `${s.host}:${portOf(s)}`;
}

/** Same server (host, port, user): the identity of a password. */
export function sameServer(a: ServerSetting, b: ServerSetting): boolean {
  return a.host === b.host && portOf(a) === portOf(b) && userOf(a) === userOf(b);
}

export function secretKey(profile: string, s: ServerSetting): string {
  return `rwMigrate:${profile}:${s.host}:${portOf(s)}:${userOf(s)}`;
}

export function toServerRef(s: ServerSetting, password: string | undefined): ServerRef {
  return { name: serverLabel(s), host: s.host, port: portOf(s), user: userOf(s), password, tls: s.tls ?? 'off', caFile: s.caFile };
}

export function serversOf(p: ProfileSetting): { server: ServerSetting; role: Role }[] {
  return [{ server: p.primary, role: 'primary' as Role }, ...(p.replicas ?? []).map((server) => ({ server, role: 'replica' as Role }))];
}

/** Undefined when fine, else the message a validating input box shows. */
export function validateProfileName(name: string, existing: string[]): string | undefined {
  const n = name.trim();
  if (!n) return 'A profile needs a name.';
  if (n.length > 64) return 'Keep the name under 64 characters.';
  if (existing.includes(n)) return `A profile named "${n}" already exists.`;
  return undefined;
}

export function validateHost(host: string): string | undefined {
  const h = host.trim();
  if (!h) return 'Enter a host name or IP address.';
  if (/\s/.test(h)) return 'A host name has no spaces.';
  if (/:\d+$/.test(h) && !h.includes('[')) return 'Enter the port in the next step.';
  return undefined;
}

export function validatePort(port: string): string | undefined {
  const n = Number(port.trim());
  return Number.isInteger(n) && n > 0 && n < 65536 ? undefined : 'A port is a number from 1 to 65535.';
}

/** Profiles from settings can be hand-edited: drop entries that cannot work instead of failing. */
export function sanitizeProfiles(raw: unknown): ProfileSetting[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (p): p is ProfileSetting =>
      typeof p === 'object' && p !== null && typeof (p as ProfileSetting).name === 'string' && typeof (p as ProfileSetting).primary?.host === 'string',
  );
}
