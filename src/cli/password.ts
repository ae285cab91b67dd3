/**
 * Passwords from the environment, else a no-echo prompt on a TTY. Never from argv.
 */
import { UsageError } from './exit-codes.js';

export const PASSWORD_ENV = {
  from: 'RW_MIGRATE_FROM_PASSWORD',
  to: 'RW_MIGRATE_TO_PASSWORD',
  replica: 'RW_MIGRATE_REPLICA_PASSWORD',
  primary: 'RW_MIGRATE_PRIMARY_PASSWORD',
} as const;

export type PasswordRole = keyof typeof PASSWORD_ENV;

export async function promptHidden(question: string, input = process.stdin, output = process.stderr): Promise<string> {
  if (!input.isTTY) throw new UsageError('no TTY to ask for a password');
  output.write(question);
  input.setRawMode(true);
  input.resume();
  return new Promise<string>((resolve, reject) => {
    let text = '';
    const done = (err: Error | null) => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      output.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new UsageError('cancelled at the password prompt'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    input.on('data', onData);
  });
}

/**
 * The password for a role: its environment variable, else a prompt on a TTY. Without either,
 * connect without a password (socket auth, passwordless users) rather than guess.
 */
export async function passwordFor(role: PasswordRole, label: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const v = env[PASSWORD_ENV[role]];
  if (v !== undefined) return v;
  if (process.stdin.isTTY) return promptHidden(`Password for ${label}: `);
  return undefined;
}
