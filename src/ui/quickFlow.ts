/**
 * Small building blocks for multi-step palette flows: each step either returns the user's answer
 * or throws FlowStop, and runFlow turns every stop or failure into one clear message. Uses the
 * plain window.showQuickPick/showInputBox so tests can stub them.
 */
import * as vscode from 'vscode';

/** Ends a flow early with a message for the user (a cancel is not an error). */
export class FlowStop extends Error {
  constructor(
    message: string,
    readonly severity: 'info' | 'warning' | 'error' = 'info',
    /** A button and the command it runs, e.g. Add Profile. */
    readonly fix?: { title: string; command: string },
  ) {
    super(message);
  }
}

export interface Step {
  /** e.g. "Migrate Table" */
  flow: string;
  title: string;
  /** [this step, of how many] */
  step?: [number, number];
}

function stepTitle(s: Step): string {
  return s.step ? `${s.flow} (${s.step[0]}/${s.step[1]}): ${s.title}` : `${s.flow}: ${s.title}`;
}

export type Item<T> = vscode.QuickPickItem & { value: T };

function cancelled(s: Step): FlowStop {
  return new FlowStop(`${s.flow} cancelled at "${s.title}": nothing was written.`);
}

export async function pickOne<T>(s: Step, items: Item<T>[], placeHolder: string): Promise<T> {
  if (items.length === 0) throw new FlowStop(`${s.flow}: nothing to choose for "${s.title}".`, 'warning');
  const chosen = await vscode.window.showQuickPick(items, { title: stepTitle(s), placeHolder, ignoreFocusOut: true, matchOnDescription: true });
  if (!chosen) throw cancelled(s);
  return chosen.value;
}

export async function pickMany<T>(s: Step, items: Item<T>[], placeHolder: string): Promise<T[]> {
  if (items.length === 0) throw new FlowStop(`${s.flow}: nothing to choose for "${s.title}".`, 'warning');
  const chosen = await vscode.window.showQuickPick(items, { title: stepTitle(s), placeHolder, ignoreFocusOut: true, canPickMany: true, matchOnDescription: true });
  if (!chosen) throw cancelled(s);
  if (chosen.length === 0) throw new FlowStop(`${s.flow}: nothing was selected for "${s.title}". Select at least one with Space, then press Enter.`, 'warning');
  return chosen.map((c) => c.value);
}

/** A multi-select where choosing nothing is an answer too (an optional step); Escape still cancels. */
export async function pickSome<T>(s: Step, items: Item<T>[], placeHolder: string): Promise<T[]> {
  if (items.length === 0) return [];
  const chosen = await vscode.window.showQuickPick(items, { title: stepTitle(s), placeHolder, ignoreFocusOut: true, canPickMany: true, matchOnDescription: true });
  if (!chosen) throw cancelled(s);
  return chosen.map((c) => c.value);
}

export async function input(s: Step, opts: { prompt: string; value?: string; validate?: (text: string) => string | undefined; password?: boolean }): Promise<string> {
  const text = await vscode.window.showInputBox({
    title: stepTitle(s),
    prompt: opts.prompt,
    value: opts.value,
    password: opts.password,
    ignoreFocusOut: true,
    validateInput: opts.validate,
  });
  if (text === undefined) throw cancelled(s);
  return text;
}

/** A modal with one action; anything but that action stops the flow. */
export async function confirm(flow: string, text: { message: string; detail: string }, action: string): Promise<void> {
  const answer = await vscode.window.showWarningMessage(text.message, { modal: true, detail: text.detail }, action);
  if (answer !== action) throw new FlowStop(`${flow} cancelled at the confirmation: nothing was written.`);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The one error path of every command: runs a flow to the end; FlowStop becomes its message (with
 * its fix as a button), any other error is logged and shown with the fix "Show Log". Never rejects,
 * so a command handler can return it directly; resolves to the body's value, or undefined when it stopped.
 */
export async function runFlow<T>(log: vscode.LogOutputChannel, flow: string, body: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof FlowStop) {
      log.info(`${flow}: ${err.message}`);
      const show =
        err.severity === 'error' ? vscode.window.showErrorMessage : err.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      const buttons = err.fix ? [err.fix.title] : [];
      void show(err.message, ...buttons).then((b) => (b && err.fix ? vscode.commands.executeCommand(err.fix.command) : undefined));
      return undefined;
    }
    log.error(`${flow} failed: ${errorText(err)}`);
    void vscode.window.showErrorMessage(`${flow} failed: ${errorText(err)}. See RW Migrate's log for details.`, 'Show Log').then((b) => {
      if (b) void vscode.commands.executeCommand('rwMigrate.showLog');
    });
    return undefined;
  }
}

/** A short, cancellable task in a notification; the token's cancel ends the flow with a message. */
export async function shortTask<T>(flow: string, title: string, task: (token: vscode.CancellationToken) => Promise<T>): Promise<T> {
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (_progress, token) => {
      const value = await Promise.race([
        task(token),
        new Promise<undefined>((resolve) => token.onCancellationRequested(() => resolve(undefined))),
      ]);
      return token.isCancellationRequested ? { cancelled: true as const } : { cancelled: false as const, value: value as T };
    },
  );
  if (result.cancelled) throw new FlowStop(`${flow}: "${title}" was cancelled.`);
  return result.value;
}
