/**
 * Waits for a condition in the extension host without sleeping: the probe is read now and again on
 * every event that can change its answer, until it holds or the deadline passes.
 */
import type * as vscode from 'vscode';

export function whenTrue<T>(what: string, timeoutMs: number, events: vscode.Event<unknown>[], probe: () => T | undefined | false): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const subs: vscode.Disposable[] = [];
    const finish = (err: Error | null, value?: T) => {
      clearTimeout(timer);
      for (const s of subs) s.dispose();
      if (err) reject(err);
      else resolve(value as T);
    };
    const check = () => {
      const value = probe();
      if (value !== undefined && value !== false) finish(null, value);
    };
    const timer = setTimeout(() => finish(new Error(`${what}: not within ${timeoutMs / 1000} s`)), timeoutMs);
    for (const e of events) subs.push(e(check));
    check();
  });
}

/** whenTrue for an async probe: re-read on every event and on each answer until it holds. */
export function whenTrueAsync<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, event: vscode.Event<unknown>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let busy = false;
    let done = false;
    const timer = setTimeout(() => finish(new Error(`${what}: not within ${timeoutMs / 1000} s`)), timeoutMs);
    const sub = event(() => void check());
    function finish(err: Error | null, value?: T) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sub.dispose();
      if (err) reject(err);
      else resolve(value as T);
    }
    async function check() {
      if (busy || done) return;
      busy = true;
      try {
        const v = await probe();
        if (v !== undefined) finish(null, v);
      } catch (e) {
        finish(e as Error);
      } finally {
        busy = false;
      }
    }
    void check();
  });
}
