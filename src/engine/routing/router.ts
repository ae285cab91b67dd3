/**
 * A routing session: the statements of one editor (or CLI) session, each classified, sent to the
 * primary or to the healthy replica with the least lag within maxStalenessSeconds, and answered
 * from there. It keeps one connection per server, the classifier's session state (transactions,
 * temporary tables), the session settings to replay on replica connections, and the GTID of the
 * last write for read-your-writes (causal.ts).
 *
 * Nothing is ever written to a replica: only statements classified `replica` go there, and every
 * replica connection runs `SET SESSION TRANSACTION READ ONLY` as a second line of defence (an
 * admin account bypasses @@read_only, but not a read-only transaction).
 */
import { closeQuietly, connect, type Connection } from '../db/connection.js';
import { formatLag, type ProbeResult } from '../lag/lagState.js';
import { ReplicaProbe } from '../lag/replicaProbe.js';
import { toServerSpec } from '../topology/serverRef.js';
import { readFacts } from '../topology/topology.js';
import type { Flavor, ServerRef } from '../topology/types.js';
import { askLastGtid, trackedGtid, trackingStatements, waitForGtid } from './causal.js';
import { tokenize } from '../sqltext/lexer.js';
import { chooseReplica, type ReplicaReading } from './choose.js';
import { classifySql, newSessionState, type ClassifiedStatement, type Route, type SessionState, type StatementKind } from './classify.js';

export interface RoutingTopology {
  primary: ServerRef;
  replicas: ServerRef[];
}

export interface RouterOptions {
  /** A replica serves reads only while its lag is at most this (setting rwMigrate.maxStalenessSeconds). */
  maxStalenessSeconds: number;
  /** How long a replica may take to apply this session's last write before the read goes to the primary. */
  causalWaitSeconds?: number;
  /** Replica readings younger than this are reused; their age is added to the lag. */
  probeCacheMs?: number;
}

/** Where one statement went, and why. */
export interface RouteDecision {
  /** What the classifier said the statement needs. */
  classified: Route;
  /** Where it runs: a `replica` classification may still run on the primary (fallback, override). */
  route: Route;
  /** The server's name from the profile. */
  server: string;
  /** The chosen replica's lag at that moment; null on the primary. */
  lagSeconds: number | null;
  reason: string;
  kind: StatementKind;
}

export interface DecideOptions {
  /** Run on Primary: every statement goes to the primary. */
  forcePrimary?: boolean;
}

interface ServerConn {
  conn: Connection;
  flavor: Flavor;
  /** How many of the session's settings this connection has run. */
  replayed: number;
}

const DEFAULTS = { causalWaitSeconds: 1, probeCacheMs: 1000 };

export class RoutingSession {
  readonly state: SessionState = newSessionState();
  /** GTID of this session's last write, waited for before a replica serves a read. */
  lastGtid: string | null = null;
  private readonly conns = new Map<string, Promise<ServerConn>>();
  /** Connections to partition map targets, by host:port/database (partitionRoute.ts). */
  private readonly targetConns = new Map<string, Promise<Connection>>();
  private readonly probes = new Map<string, ReplicaProbe>();
  private readonly readings = new Map<string, { at: number; probe: ProbeResult }>();
  /** Session settings (SET NAMES, USE ...), replayed on each replica connection before it serves a read. */
  private readonly settings: string[] = [];
  private readonly options: Required<RouterOptions>;
  /** The server holding an open READ ONLY transaction: its statements stay there until it ends. */
  private pin: Pick<RouteDecision, 'route' | 'server' | 'lagSeconds'> | null = null;

  constructor(
    readonly topology: RoutingTopology,
    options: RouterOptions,
  ) {
    if (!(options.maxStalenessSeconds >= 0)) throw new Error('maxStalenessSeconds must be a number of seconds, 0 or more');
    this.options = { ...DEFAULTS, ...options };
  }

  /** Classifies input with this session's state (transactions carry over between calls). */
  classify(sql: string): ClassifiedStatement[] {
    return classifySql(sql, this.state).statements;
  }

  private async readReplicas(): Promise<ReplicaReading[]> {
    const now = Date.now();
    return Promise.all(
      this.topology.replicas.map(async (server): Promise<ReplicaReading> => {
        const cached = this.readings.get(server.name);
        if (cached && now - cached.at < this.options.probeCacheMs) return { name: server.name, probe: cached.probe, ageSeconds: (now - cached.at) / 1000 };
        let probe = this.probes.get(server.name);
        if (!probe) {
          probe = new ReplicaProbe(server);
          this.probes.set(server.name, probe);
        }
        const result = await probe.probe();
        this.readings.set(server.name, { at: Date.now(), probe: result });
        return { name: server.name, probe: result };
      }),
    );
  }

  /** Decides where a classified statement runs; for a read after a write this may wait (read-your-writes). */
  async decide(stmt: Pick<ClassifiedStatement, 'route' | 'reason' | 'kind'>, opts: DecideOptions = {}): Promise<RouteDecision> {
    const onPrimary = (reason: string): RouteDecision => ({ classified: stmt.route, route: 'primary', server: this.topology.primary.name, lagSeconds: null, reason, kind: stmt.kind });
    if (opts.forcePrimary) return onPrimary(`Run on Primary (override); classified ${stmt.route}: ${stmt.reason}`);
    if (stmt.route === 'primary') return onPrimary(stmt.reason);
    if (this.pin) return { classified: 'replica', ...this.pin, reason: `${stmt.reason}; on ${this.pin.server}, which holds the READ ONLY transaction`, kind: stmt.kind };
    const choice = chooseReplica(await this.readReplicas(), this.options.maxStalenessSeconds);
    if (!choice.chosen) return onPrimary(`${stmt.reason}; on the primary because ${choice.reason}`);
    const chosen = choice.chosen;
    const onReplica = (extra: string): RouteDecision => ({
      classified: 'replica',
      route: 'replica',
      server: chosen.name,
      lagSeconds: chosen.lagSeconds,
      reason: `${stmt.reason}; ${choice.reason}${extra}`,
      kind: stmt.kind,
    });
    if (!this.lastGtid) return onReplica('');
    const gtid = this.lastGtid;
    const started = Date.now();
    let applied: boolean;
    try {
      const replica = await this.serverConn(this.replicaRef(chosen.name));
      applied = await waitForGtid(replica.conn, replica.flavor, gtid, this.options.causalWaitSeconds);
    } catch (err) {
      return onPrimary(`${stmt.reason}; on the primary: could not ask ${chosen.name} whether it has applied this session's last write (${err instanceof Error ? err.message : String(err)})`);
    }
    const waited = Date.now() - started;
    if (applied) return onReplica(`; has applied this session's last write (GTID ${gtid}) after ${waited} ms`);
    return onPrimary(
      `${stmt.reason}; on the primary for read-your-writes: ${chosen.name} had not applied this session's last write (GTID ${gtid}) within ${this.options.causalWaitSeconds}s`,
    );
  }

  /** Routes each statement of `sql` without running anything (rw-migrate route --explain --profile). */
  async explain(sql: string, opts: DecideOptions = {}): Promise<{ statement: ClassifiedStatement; decision: RouteDecision }[]> {
    const out: { statement: ClassifiedStatement; decision: RouteDecision }[] = [];
    for (const statement of this.classify(sql)) out.push({ statement, decision: await this.decide(statement, opts) });
    return out;
  }

  private replicaRef(name: string): ServerRef {
    const ref = this.topology.replicas.find((r) => r.name === name);
    if (!ref) throw new Error(`no replica named ${name} in the profile`);
    return ref;
  }

  refFor(decision: RouteDecision): ServerRef {
    return decision.route === 'primary' ? this.topology.primary : this.replicaRef(decision.server);
  }

  /** The session's connection to a server, opened on first use, with the session settings replayed. */
  async serverConn(ref: ServerRef): Promise<ServerConn> {
    const isPrimary = ref.name === this.topology.primary.name;
    let entry = this.conns.get(ref.name);
    if (!entry) {
      entry = (async () => {
        const conn = await connect(toServerSpec(ref));
        try {
          const { flavor } = await readFacts(conn);
          const session = isPrimary ? trackingStatements(flavor) : ['SET SESSION TRANSACTION READ ONLY'];
          for (const s of session) await conn.query(s);
          // The primary runs every setting as it comes; a replica catches up below.
          return { conn, flavor, replayed: isPrimary ? this.settings.length : 0 };
        } catch (err) {
          conn.destroy();
          throw err;
        }
      })();
      this.conns.set(ref.name, entry);
      entry.catch(() => this.conns.delete(ref.name));
    }
    const sc = await entry;
    if (!isPrimary && sc.replayed < this.settings.length) {
      for (; sc.replayed < this.settings.length; sc.replayed++) await sc.conn.query(this.settings[sc.replayed]);
      // A replayed SET SESSION TRANSACTION READ WRITE must not lift the guard.
      await sc.conn.query('SET SESSION TRANSACTION READ ONLY');
    }
    return sc;
  }

  /**
   * After a statement ran: keep a READ ONLY transaction on its server; on the primary, remember
   * session settings for the replicas, and the GTID of a write for read-your-writes.
   */
  async after(stmt: Pick<ClassifiedStatement, 'kind' | 'text' | 'route'>, decision: RouteDecision, result: unknown): Promise<void> {
    if (stmt.kind === 'transaction' && stmt.route === 'replica') {
      const first = tokenize(stmt.text).tokens[0]?.upper;
      const ends = first === 'COMMIT' || first === 'ROLLBACK';
      this.pin = ends ? null : { route: decision.route, server: decision.server, lagSeconds: decision.lagSeconds };
    }
    if (decision.route !== 'primary') return;
    if (stmt.kind === 'session') this.settings.push(stmt.text);
    const mayWrite = stmt.kind === 'write' || stmt.kind === 'ddl' || stmt.kind === 'transaction' || stmt.kind === 'side-effect' || stmt.kind === 'unknown' || stmt.kind === 'admin';
    if (!mayWrite) return;
    const gtid = trackedGtid(result);
    if (gtid) {
      this.lastGtid = gtid;
      return;
    }
    // RETURNING and CALL answer with rows instead of an OK packet: ask. (Inside a transaction this
    // returns an older GTID, which is harmless: the COMMIT reports the new one.)
    if (stmt.kind === 'write') {
      const primary = await this.serverConn(this.topology.primary);
      this.lastGtid = (await askLastGtid(primary.conn, primary.flavor)) ?? this.lastGtid;
    }
  }

  /**
   * A connection to a partition map target, its range's database as the default, opened on first
   * use. Session settings of the editor session are not replayed there (a `USE` would point it away).
   */
  async targetConn(ref: ServerRef, database: string): Promise<Connection> {
    const key = `${ref.host}:${ref.port}/${database}`;
    let entry = this.targetConns.get(key);
    if (!entry) {
      entry = connect(toServerSpec(ref), { database });
      this.targetConns.set(key, entry);
      entry.catch(() => this.targetConns.delete(key));
    }
    return entry;
  }

  async close(): Promise<void> {
    const targets = [...this.targetConns.values()];
    this.targetConns.clear();
    for (const c of targets) await closeQuietly(await c.catch(() => null));
    const conns = [...this.conns.values()];
    this.conns.clear();
    for (const c of conns) await closeQuietly(await c.then((x) => x.conn).catch(() => null));
    for (const p of this.probes.values()) await p.close();
    this.probes.clear();
  }
}

/** One line for a decision: `replica replica1 (lag 0.0s): read-only query; ...`. */
export function describeDecision(d: RouteDecision): string {
  const lag = d.lagSeconds === null ? '' : ` (lag ${formatLag(d.lagSeconds)})`;
  return `${d.route} ${d.server}${lag}: ${d.reason}`;
}
