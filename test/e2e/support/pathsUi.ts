// Helpers for the migrate / verify / jobs paths in code-server: tree rows by exact label, context menus,
// VS Code's modal dialogs, the Jobs view, webview text and the extension host's logs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Locator } from 'playwright-core';
import { answerInput, resizeSideBar, toast } from './topologyUi';
import type { Workbench } from './workbench';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A side bar tree row by its exact label (not its description). */
export function rowByLabel(wb: Workbench, scope: Locator, label: string): Locator {
  return scope
    .locator('.monaco-list-row')
    .filter({ has: wb.page.locator('.label-name', { hasText: new RegExp(`^${escape(label)}$`) }) })
    .first();
}

/** Picks the quick pick row whose label is exactly `label` (a plain pickItem matches substrings). */
export async function pickExact(wb: Workbench, label: string, timeoutMs = 15_000): Promise<void> {
  const row = wb.page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .filter({ has: wb.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escape(label)}\\s*$`) }) })
    .first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
}

/** Closes a context menu left open (it blocks every click under it). */
export async function closeMenus(wb: Workbench): Promise<void> {
  const menu = wb.page.locator('.context-view .monaco-menu').first();
  for (let i = 0; i < 3 && (await menu.isVisible().catch(() => false)); i++) {
    await wb.page.keyboard.press('Escape');
    await wb.page.waitForTimeout(150);
  }
}

/** Right-clicks `row` and clicks the context menu entry `item`. */
export async function contextMenu(wb: Workbench, row: Locator, item: string): Promise<void> {
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await closeMenus(wb);
  await row.click({ button: 'right' });
  const entry = wb.page.locator('.monaco-menu .action-item .action-label', { hasText: new RegExp(`^${escape(item)}$`) }).first();
  await entry.waitFor({ state: 'visible', timeout: 10_000 });
  // A click that lands while the menu is still settling is dropped: hover first, and if the menu is still
  // open afterwards, choose the (now focused) entry with Enter.
  await entry.hover();
  await wb.page.waitForTimeout(150);
  await entry.click();
  const menu = wb.page.locator('.context-view .monaco-menu').first();
  if (!(await menu.waitFor({ state: 'hidden', timeout: 1500 }).then(() => true, () => false))) {
    await entry.hover();
    await wb.page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden', timeout: 5000 });
  }
}

export interface Dialog {
  message: string;
  detail: string;
  buttons: string[];
}

/** VS Code's modal dialog (showWarningMessage with modal: true), once it shows. */
export function dialogBox(wb: Workbench): Locator {
  return wb.page.locator('.monaco-dialog-box').first();
}

/** Waits for a modal dialog and returns what it says. */
export async function readDialog(wb: Workbench, timeoutMs = 20_000): Promise<Dialog> {
  const box = dialogBox(wb);
  await box.waitFor({ state: 'visible', timeout: timeoutMs });
  const message = (await box.locator('.dialog-message-text').innerText().catch(() => '')).trim();
  const detail = (await box.locator('.dialog-message-detail').innerText().catch(() => '')).trim();
  const buttons = (await box.locator('.dialog-buttons .monaco-button').allInnerTexts()).map((t) => t.trim());
  return { message, detail, buttons };
}

/** Clicks a button of the showing modal dialog and waits until it is gone. */
export async function answerDialog(wb: Workbench, button: string): Promise<void> {
  const box = dialogBox(wb);
  await box.locator('.dialog-buttons .monaco-button', { hasText: new RegExp(`^${escape(button)}$`) }).first().click();
  await box.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** The RW Migrate side bar with both views open: the Jobs pane expanded, the side bar `width` wide. */
export async function sideBarWithJobs(wb: Workbench, width = 520): Promise<{ sidebar: Locator; topology: Locator; jobs: Locator }> {
  const sidebar = await wb.openViewContainer('RW Migrate');
  const jobsHeader = sidebar.locator('.pane-header[aria-label^="Jobs"]').first();
  await jobsHeader.waitFor({ state: 'visible', timeout: 15_000 });
  if ((await jobsHeader.getAttribute('aria-expanded')) !== 'true') await jobsHeader.click();
  await resizeSideBar(wb, sidebar, width);
  const pane = (title: string) => sidebar.locator('.pane').filter({ has: wb.page.locator(`.pane-header[aria-label^="${title}"]`) }).first();
  return { sidebar, topology: pane('Topology'), jobs: pane('Jobs') };
}

/** Polls until `row`'s text matches; returns it. */
export async function waitRowText(row: Locator, re: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = (await row.innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
    if (re.test(last)) return last;
    if (Date.now() > deadline) throw new Error(`row never showed ${re} (last: "${last}")`);
    await row.page().waitForTimeout(200);
  }
}

/** Polls a webview frame's text until it matches; returns the text. */
export async function waitFrameText(frame: Frame, re: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = await frame.locator('body').innerText({ timeout: 2000 }).catch(() => last);
    if (re.test(last)) return last;
    if (Date.now() > deadline) throw new Error(`webview never showed ${re}; last text:\n${last}`);
    await frame.page().waitForTimeout(250);
  }
}

/** Activates the editor tab whose label contains `text`. */
export async function focusTab(wb: Workbench, text: string | RegExp): Promise<void> {
  const tab = wb.page.locator('.tabs-container .tab', { hasText: text }).first();
  await tab.waitFor({ state: 'visible', timeout: 15_000 });
  await tab.click();
}

/** Switches the color theme with Preferences: Color Theme, as a person does; waits until the workbench repaints. */
export async function setColorTheme(wb: Workbench, theme: string, light: boolean): Promise<void> {
  await startExact(wb, 'Preferences: Color Theme');
  // The picker lists "Light Modern" for the setting value "Default Light Modern".
  const label = theme.replace(/^Default /, '');
  await wb.page.locator('.quick-input-widget .quick-input-box input').fill(label);
  await pickExact(wb, label);
  const want = light ? '.monaco-workbench.vs:not(.vs-dark)' : '.monaco-workbench.vs-dark';
  await wb.page.locator(want).waitFor({ state: 'attached', timeout: 30_000 });
  await wb.page.waitForTimeout(800);
}

/** The extension host's log files of this run (remoteexthost.log and RW Migrate's own channel). */
export function hostLogs(wb: Workbench): { exthost: string[]; rwMigrate: string[] } {
  const root = join(wb.dir, 'user-data', 'logs');
  const out = { exthost: [] as string[], rwMigrate: [] as string[] };
  if (!existsSync(root)) return out;
  for (const session of readdirSync(root)) {
    const dir = join(root, session);
    for (const host of readdirSync(dir).filter((d) => d.startsWith('exthost'))) {
      const hostDir = join(dir, host);
      for (const f of readdirSync(hostDir)) if (/exthost\.log$/.test(f)) out.exthost.push(join(hostDir, f));
      const own = join(hostDir, 'rw-migrate.rw-migrate', 'RW Migrate.log');
      if (existsSync(own)) out.rwMigrate.push(own);
    }
  }
  return out;
}

/** All lines of the given log files. */
export function logLines(files: string[]): string[] {
  return files.flatMap((f) => readFileSync(f, 'utf8').split('\n'));
}

/** Runs a palette command by its exact full title (startFlow picks the first row containing it). */
export async function startExact(wb: Workbench, title: string, timeoutMs = 10_000): Promise<void> {
  const input = wb.page.locator('.quick-input-widget .quick-input-box input');
  // The palette can close again right after it opened (a focus change from a toast or a webview
  // taking focus, seen under load): open it again rather than fail on a hidden input.
  for (let attempt = 1; ; attempt++) {
    await wb.page.keyboard.press('Escape');
    await wb.page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    try {
      await input.fill(`>${title}`, { timeout: 5_000 });
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
  await pickExact(wb, title, timeoutMs);
}

/** Runs `body`; on failure saves what the screen showed as paths-FAILED-<name>.png first. */
export async function shotOnFailure<T>(wb: Workbench, name: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    await wb.screenshot(`paths-FAILED-${name}`).catch(() => {});
    throw err;
  }
}

/**
 * Set Password as a user does: the `source` profile's primary, its other servers by "Use for all",
 * and, when given, the `target` profile's server. The passwords go into secret storage.
 */
export async function setSandboxPasswords(wb: Workbench, user: string, password: string, source: string, target?: string): Promise<void> {
  await startExact(wb, 'RW Migrate: Set Password');
  await pickExact(wb, source);
  await pickExact(wb, 'primary');
  await answerInput(wb, `Password for ${user}@primary`, password);
  await toast(wb, /other server\(s\) of sandbox use/, 'Use for all 2');
  if (!target) return;
  await startExact(wb, 'RW Migrate: Set Password');
  await pickExact(wb, target);
  await answerInput(wb, `Password for ${user}@target`, password);
}
