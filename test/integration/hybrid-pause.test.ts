// Pause and resume of a hybrid job in its stream phases, and the cutover command around them: a
// job paused while in sync applies nothing (the source's writes show up as events behind in its own
// stream events while the target stays as it was), refuses a cut-over saying it is paused (the
// command, and the job itself when a request reaches it), and after resume catches up to equal
// (CHECKSUM TABLE and COUNT(*), computed by the servers). The cutover command waits for a job that
// is catching up and then cuts over (a pause asked during the cut-over is ignored, with a warning),
// and refuses at once during the snapshot.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RowDataPacket } from 'mysql2/promise';
import { startMigration, type JobHandle, type JobSpec, type ProgressEvent } from '../../src/engine/index.js';
import { adminConnect, waitFor } from '../support/sandbox.js';
import { jsonLines, text, useCliFixture } from '../support/cli.js';
import { allFacts, createLoadTables, seedLoadTables } from '../support/cdcLoad.js';

type StreamEvent = Extract<ProgressEvent, { type: 'stream' }>;

const fx = useCliFixture('hp');
const { srcDb, dstDb } = fx;

async function freshSource(db: string, rows: number): Promise<void> {
  await fx.primary.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4`);
  fx.dropAfter('primary', db);
  await createLoadTables(fx.primary, db);
  await seedLoadTables(fx.primary, db, rows);
}

/** A hybrid job run in this process, with every event it emits. */
class Job {
  readonly events: ProgressEvent[] = [];
  readonly handle: JobHandle;
  /** Called with each event as it comes (a test reacts to a phase at the moment it starts). */
  onEvent: (e: ProgressEvent) => void = () => {};

  constructor(
    readonly src: string,
    readonly dst: string,
    over: Partial<JobSpec> = {},
  ) {
    fx.dropAfter('target', dst);
    const spec = fx.spec({ sourceDatabase: src, targetDatabase: dst, mode: 'hybrid', ...over });
    this.handle = startMigration(spec, {
      onEvent: (e) => {
        this.events.push(e);
        this.onEvent(e);
      },
    });
  }

  since(from: number): ProgressEvent[] {
    return this.events.slice(from);
  }

  streams(from = 0): StreamEvent[] {
    return this.since(from).filter((e): e is StreamEvent => e.type === 'stream');
  }

  hasPhase(phase: string, from = 0): boolean {
    return this.since(from).some((e) => e.type === 'phase' && e.phase === phase);
  }

  states(from = 0): string[] {
    return this.since(from).flatMap((e) => (e.type === 'state' ? [e.state] : []));
  }

  async waitPhase(phase: string, from = 0, timeoutMs = 120_000): Promise<void> {
    await waitFor(`phase ${phase}`, async () => this.hasPhase(phase, from) || (this.finished && Promise.reject(new Error(`the job ended: ${JSON.stringify(this.states())}`))), timeoutMs);
  }

  get finished(): boolean {
    return this.events.some((e) => e.type === 'state' && (e.state === 'done' || e.state === 'failed' || e.state === 'cancelled' || e.state === 'refused'));
  }
}

async function jobsRow(jobId: string): Promise<string> {
  const [r] = await fx.target.query<RowDataPacket[]>('SELECT state FROM rw_migrate.jobs WHERE id = ?', [jobId]);
  return String(r[0]?.state);
}

async function cutoverRow(jobId: string): Promise<{ phase: string | null; state: string | null; message: string | null } | null> {
  const [r] = await fx.target.query<RowDataPacket[]>('SELECT job_phase, state, message FROM rw_migrate.cutover WHERE job_id = ?', [jobId]).catch(() => [[]] as unknown as [RowDataPacket[]]);
  return r[0] ? { phase: r[0].job_phase as string | null, state: r[0].state as string | null, message: r[0].message as string | null } : null;
}

async function cdcRow(jobId: string): Promise<string> {
  const [r] = await fx.target.query<RowDataPacket[]>('SELECT binlog_file, binlog_pos, events FROM rw_migrate.cdc_state WHERE job_id = ?', [jobId]);
  return `${String(r[0].binlog_file)}:${Number(r[0].binlog_pos)} (${Number(r[0].events)} events)`;
}

/** The job's committed stream position reached the source's current one. */
async function waitCaughtUp(jobId: string): Promise<void> {
  await waitFor(
    'the stream position reaching the source position',
    async () => {
      const [c] = await fx.target.query<RowDataPacket[]>('SELECT binlog_file, binlog_pos FROM rw_migrate.cdc_state WHERE job_id = ?', [jobId]);
      const [s] = await fx.primary.query<RowDataPacket[]>('SHOW MASTER STATUS');
      return c[0] && String(c[0].binlog_file) === String(s[0].File) && Number(c[0].binlog_pos) >= Number(s[0].Position);
    },
    120_000,
  );
}

async function sourceTriggers(db: string): Promise<number> {
  const [r] = await fx.primary.query<RowDataPacket[]>(`SHOW TRIGGERS FROM \`${db}\``);
  return r.length;
}

describe('hybrid job: pause and resume in the stream phases, and the cutover command around them', () => {
  it('paused while in sync: writes stay behind (its stream events say so) and a cut-over is refused; after resume the target equals the source', async () => {
    const src = `${srcDb}_p`;
    await freshSource(src, 1000);
    const job = new Job(src, `${dstDb}_p`);
    const id = await job.handle.jobId;
    try {
      await job.waitPhase('in-sync');
      await waitFor('the cut-over row in sync', async () => (await cutoverRow(id))?.phase === 'in-sync', 30_000);

      const pausedAt = job.events.length;
      job.handle.pause();
      assert.deepEqual(job.states(pausedAt), ['paused'], 'the state event comes at once');
      await waitFor('the jobs row paused', async () => (await jobsRow(id)) === 'paused', 10_000);
      const targetBefore = await allFacts(fx.target, `${dstDb}_p`);
      const positionBefore = await cdcRow(id);
      const firstPausedStream = await waitFor('a stream event while paused', async () => job.streams(pausedAt)[0], 10_000);

      // 300 inserts and 100 updates: 400 row events, made while paused.
      const writes = 400;
      const writtenAt = job.events.length;
      await fx.primary.query(`INSERT INTO \`${src}\`.items SELECT 2000000 + seq, CONCAT('p', seq), seq % 10, seq / 4, 'while paused', NOW(6) FROM \`${src}\`.seq_1_to_300`);
      await fx.primary.query(`UPDATE \`${src}\`.items SET qty = qty + 1 WHERE id <= 100`);
      const behind = await waitFor('a stream event with the writes behind', async () => job.streams(writtenAt).find((e) => e.behindEvents >= writes), 30_000);
      assert.deepEqual(await allFacts(fx.target, `${dstDb}_p`), targetBefore, 'nothing reached the target while paused');
      assert.equal(await cdcRow(id), positionBefore, 'the committed position stays where it was');
      assert.equal(behind.events, firstPausedStream.events, 'no event applied while paused');
      assert.equal(behind.eventsPerSecond, 0);
      assert.equal(typeof behind.behindSeconds, 'number', JSON.stringify(behind));
      // Its stream events keep coming, once a second, and say it falls further behind.
      const later = await waitFor('seconds behind growing', async () => job.streams(writtenAt).find((e) => (e.behindSeconds ?? 0) > (behind.behindSeconds ?? 0) + 0.5), 30_000);
      assert.ok(later.behindEvents >= writes);
      assert.deepEqual(await allFacts(fx.target, `${dstDb}_p`), targetBefore);

      // The cutover command refuses at once, saying the job is paused.
      const co = fx.cli(['cutover', id, '--to', fx.url('target'), '--yes', '--json']);
      assert.equal(await co.exit, 3, text(co));
      assert.match(text(co), new RegExp(`Job ${id} is paused \\(phase (in-sync|catching-up), .*\\): nothing is applied while it is paused.*Resume it first`));
      assert.ok(!jsonLines(co).some((e) => e.type === 'waiting'), 'a paused job is not waited for');
      // A request that reaches the job anyway (written before the job's row said paused) is refused by the job.
      await fx.target.query("UPDATE rw_migrate.cutover SET state = 'requested', block = 'lock', step = 'requested', message = NULL, requested_at = NOW(3) WHERE job_id = ?", [id]);
      const answer = await waitFor('the job answering the request', async () => {
        const r = await cutoverRow(id);
        return r?.state !== 'requested' && r?.state !== 'running' ? r : null;
      }, 30_000);
      assert.equal(answer?.state, 'refused');
      assert.match(String(answer?.message), new RegExp(`job ${id} is paused: nothing is applied while it is paused, so it cannot catch up. Resume it first`));
      assert.equal(await sourceTriggers(src), 0, 'nothing blocked on the source');
      assert.deepEqual(await allFacts(fx.target, `${dstDb}_p`), targetBefore);

      const resumedAt = job.events.length;
      job.handle.resume();
      assert.deepEqual(job.states(resumedAt), ['copying']);
      await waitCaughtUp(id);
      assert.deepEqual(await allFacts(fx.target, `${dstDb}_p`), await allFacts(fx.primary, src));
      await waitFor('events applied after resume', async () => job.streams(resumedAt).some((e) => e.events >= firstPausedStream.events + writes), 30_000);
      await waitFor('the jobs row copying', async () => (await jobsRow(id)) === 'copying', 10_000);
    } finally {
      job.handle.cancel();
    }
    assert.equal((await job.handle.done).state, 'cancelled');
  });

  it('cutover asked while the job catches up waits for in sync, then cuts over (a pause asked meanwhile is ignored with a warning)', async () => {
    const src = `${srcDb}_w`;
    const dst = `${dstDb}_w`;
    await freshSource(src, 1000);
    const job = new Job(src, dst);
    const id = await job.handle.jobId;
    let lift: string[] = [];
    // A row lock on the target holds the apply of the backlog: the job stays catching up until it is released.
    const holder = await adminConnect(fx.topo.servers.target);
    try {
      await job.waitPhase('in-sync');
      await waitFor('the cut-over row in sync', async () => (await cutoverRow(id))?.phase === 'in-sync', 30_000);
      await holder.query('START TRANSACTION');
      await holder.query(`SELECT id FROM \`${dst}\`.items WHERE id = 1 FOR UPDATE`);
      const backlogAt = job.events.length;
      await fx.primary.query(`UPDATE \`${src}\`.items SET qty = qty + 5 WHERE id <= 200`);
      await fx.primary.query(`INSERT INTO \`${src}\`.items SELECT 3000000 + seq, CONCAT('b', seq), seq % 10, seq / 4, 'backlog', NOW(6) FROM \`${src}\`.seq_1_to_20000`);
      await job.waitPhase('catching-up', backlogAt, 60_000);
      await waitFor('the cut-over row catching up', async () => (await cutoverRow(id))?.phase === 'catching-up', 30_000);

      let pauseAsked = false;
      job.onEvent = (e) => {
        if (e.type === 'phase' && e.phase === 'cutting-over') {
          pauseAsked = true;
          job.handle.pause();
        }
      };
      const cutoverAt = job.events.length;
      const co = fx.cli(['cutover', id, '--to', fx.url('target'), '--yes', '--block', 'lock', '--json', '--timeout', '180']);
      const waiting = await waitFor('the waiting line', async () => jsonLines(co).find((e) => e.type === 'waiting') || (co.child.exitCode !== null && Promise.reject(new Error(text(co)))), 60_000);
      assert.equal(waiting.jobId, id);
      assert.equal(waiting.phase, 'catching-up');
      assert.equal(typeof waiting.behindEvents, 'number', JSON.stringify(waiting));
      assert.ok(Number(waiting.behindEvents) > 0, JSON.stringify(waiting));
      assert.equal(co.child.exitCode, null, 'the command waits');
      assert.equal((await cutoverRow(id))?.state ?? null, null, 'nothing asked of the job while it catches up');
      await holder.query('ROLLBACK');

      assert.equal(await co.exit, 0, text(co));
      assert.equal(jsonLines(co).filter((e) => e.type === 'waiting').length, 1, 'one waiting line');
      const answer = jsonLines(co).find((e) => e.type === 'result') as { state: string; report?: { lift: string[] } } | undefined;
      assert.equal(answer?.state, 'done', text(co));
      lift = answer?.report?.lift ?? [];
      const result = await job.handle.done;
      assert.equal(result.state, 'done', result.message);
      assert.ok(pauseAsked, 'a pause was asked during the cut-over');
      assert.ok(!job.states(cutoverAt).includes('paused'), 'the cut-over was not paused');
      assert.ok(
        job.since(cutoverAt).some((e) => e.type === 'log' && e.level === 'warn' && /pause ignored: Job \S+ is cutting over and cannot be paused: a cut-over in progress must finish/.test(e.message)),
        'the ignored pause is said',
      );
      assert.deepEqual(await allFacts(fx.target, dst), await allFacts(fx.primary, src));
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
      if (!job.finished) job.handle.cancel();
      await job.handle.done;
      for (const stmt of lift) await fx.primary.query(stmt);
    }
  });

  it('cutover during the snapshot is refused at once, naming the phase', async () => {
    const src = `${srcDb}_s`;
    await freshSource(src, 20_000);
    const job = new Job(src, `${dstDb}_s`, { maxChunkRows: 100, initialChunkRows: 100, writers: 1 });
    // Paused as the snapshot starts: it stays there (the copy waits) while the command asks.
    job.onEvent = (e) => {
      if (e.type === 'phase' && e.phase === 'snapshot') job.handle.pause();
    };
    const id = await job.handle.jobId;
    try {
      await job.waitPhase('snapshot', 0, 60_000);
      await waitFor('the copy paused', async () => job.states().includes('paused'), 10_000);
      await waitFor('the snapshot phase recorded', async () => {
        const [r] = await fx.target.query<RowDataPacket[]>('SELECT phase FROM rw_migrate.hybrid_state WHERE job_id = ?', [id]);
        return r[0]?.phase === 'snapshot';
      }, 30_000);
      const co = fx.cli(['cutover', id, '--to', fx.url('target'), '--yes', '--json', '--timeout', '120']);
      assert.equal(await co.exit, 3, text(co));
      assert.match(text(co), new RegExp(`Job ${id} is in its snapshot phase \\(copying the tables\\): it follows the source's changes only after the snapshot, and can cut over once it is in sync`));
      assert.ok(!jsonLines(co).some((e) => e.type === 'waiting'), 'not waited for');
      assert.ok(!job.hasPhase('catching-up'), 'still in the snapshot');
    } finally {
      job.handle.cancel();
    }
    assert.equal((await job.handle.done).state, 'cancelled');
  });
});
