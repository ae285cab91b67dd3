// Helpers for driving the Topology view, quick inputs, toasts and the lag status bar item in code-server
// the way a person does: typing into the boxes the extension opens, clicking tree rows and toast buttons.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { SCREENSHOTS, type Workbench } from './workbench';

const QUICK_INPUT = '.quick-input-widget';

/**
 * Waits for the quick input to show `prompt` (its message line, or its title), types `value` (replacing a
 * pre-filled value) and presses Enter.
 */
export async function answerInput(wb: Workbench, prompt: string | RegExp, value: string, timeoutMs = 15_000): Promise<void> {
  const widget = wb.page.locator(QUICK_INPUT);
  const input = widget.locator('.quick-input-box input');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await input.isVisible().catch(() => false)) {
      const message = (await widget.locator('.quick-input-message').innerText().catch(() => '')).trim();
      const title = (await widget.locator('.quick-input-title').innerText().catch(() => '')).trim();
      const matches = (t: string) => (typeof prompt === 'string' ? t.includes(prompt) : prompt.test(t));
      if (matches(message) || matches(title)) break;
    }
    if (Date.now() > deadline) {
      const message = await widget.locator('.quick-input-message').innerText().catch(() => '(none)');
      throw new Error(`No quick input asking ${String(prompt)} after ${timeoutMs} ms (showing: ${message})`);
    }
    await wb.page.waitForTimeout(100);
  }
  await input.fill(value);
  await input.press('Enter');
}

/** Picks the quick pick row showing `text` (waits for it), by clicking it. */
export async function pickItem(wb: Workbench, text: string | RegExp, timeoutMs = 15_000): Promise<void> {
  const row = wb.page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`, { hasText: text }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
}

/** Waits for a toast whose message matches `text`; clicks `button` on it when given. Returns the message. */
export async function toast(wb: Workbench, text: string | RegExp, button?: string, timeoutMs = 30_000): Promise<string> {
  const item = wb.page.locator('.notifications-toasts .notification-list-item', { hasText: text }).first();
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  const message = (await item.locator('.notification-list-item-message').innerText()).trim();
  if (button) await item.locator('.monaco-button', { hasText: button }).first().click();
  return message;
}

/** Closes every toast (so screenshots show the view, not leftovers). */
export async function clearToasts(wb: Workbench): Promise<void> {
  await wb.runCommand('Notifications: Clear All Notifications').catch(() => {});
}

/** A tree row of the side bar whose text (label and description) matches. */
export function treeRow(sidebar: Locator, text: string | RegExp): Locator {
  return sidebar.locator('.monaco-list-row', { hasText: text }).first();
}

/** Expands a collapsed tree row (clicking its twistie) and waits until it says it is expanded. */
export async function expand(row: Locator, timeoutMs = 30_000): Promise<void> {
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
  const deadline = Date.now() + timeoutMs;
  while ((await row.getAttribute('aria-expanded')) !== 'true') {
    if (Date.now() > deadline) throw new Error(`row ${await row.innerText()} did not expand`);
    await row.page().waitForTimeout(100);
  }
}

/** Texts of all rendered rows of the side bar's trees (label + description, one line each). */
export async function rowTexts(sidebar: Locator): Promise<string[]> {
  const rows = sidebar.locator('.monaco-list-row');
  const out: string[] = [];
  for (let i = 0; i < (await rows.count()); i++) out.push((await rows.nth(i).innerText()).replace(/\s+/g, ' ').trim());
  return out;
}

export interface StatusItemState {
  text: string;
  classes: string;
  kind: 'ok' | 'warning' | 'error';
  background: string;
  ariaLabel: string;
}

/** The lag status bar item (contributed as `rwMigrate.lag`; VS Code prefixes the extension id). */
export function lagItem(wb: Workbench): Locator {
  return wb.page.locator('.statusbar-item[id$="rwMigrate.lag"]').first();
}

/** What the lag item shows now: text, classes and which background kind VS Code rendered. */
export async function lagState(wb: Workbench): Promise<StatusItemState> {
  const item = lagItem(wb);
  await item.waitFor({ state: 'attached', timeout: 15_000 });
  const text = (await item.innerText()).replace(/\s+/g, ' ').trim();
  const classes = (await item.getAttribute('class')) ?? '';
  const ariaLabel = (await item.locator('a').first().getAttribute('aria-label').catch(() => '')) ?? '';
  const background = await item.evaluate((el) => getComputedStyle(el).backgroundColor);
  const kind = /\berror-kind\b/.test(classes) ? 'error' : /\bwarning-kind\b/.test(classes) ? 'warning' : 'ok';
  return { text, classes, kind, background, ariaLabel };
}

/** Lag in seconds from the item's text ("0.3s", "12s", "1m 4s"), or null when the text shows none. */
export function lagSeconds(text: string): number | null {
  const m = /(?:(\d+)m\s*)?(\d+(?:\.\d+)?)s\b/.exec(text);
  if (!m) return null;
  return Number(m[1] ?? 0) * 60 + Number(m[2]);
}

/** Polls the lag item until `ok(state)`; returns the matching state. Records every distinct text seen. */
export async function waitForLag(wb: Workbench, what: string, ok: (s: StatusItemState) => boolean, timeoutMs = 60_000, seen: string[] = []): Promise<StatusItemState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await lagState(wb);
    const line = `${s.kind} ${s.text}`;
    if (seen[seen.length - 1] !== line) seen.push(line);
    if (ok(s)) return s;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for the lag item to show ${what}; last: ${line}; seen: ${seen.slice(-12).join(' | ')}`);
    await wb.page.waitForTimeout(200);
  }
}

/** Hovers `target` (pointer moved onto it in steps, like a person) and screenshots with its hover showing. */
export async function screenshotHover(wb: Workbench, target: Locator, name: string): Promise<{ path: string; text: string }> {
  const hover = wb.page.locator('.workbench-hover-container .monaco-hover').first();
  await wb.page.mouse.move(900, 600);
  await hover.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
  // A live item re-renders every poll; a re-render during the hover delay can swallow the hover, so a person
  // (and this helper) moves off and back on until it shows.
  const deadline = Date.now() + 30_000;
  for (let attempt = 1; ; attempt++) {
    const box = await target.boundingBox();
    if (!box) throw new Error('the hover target is not on screen');
    await wb.page.mouse.move(box.x + box.width / 2 - 30, box.y - 40);
    await wb.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 8 });
    if (await hover.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false)) break;
    if (Date.now() > deadline) throw new Error(`no hover over the target after ${attempt} attempts`);
  }
  await wb.page.waitForTimeout(400); // the fade-in
  const text = (await hover.innerText()).trim();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await wb.page.screenshot({ path });
  await wb.page.mouse.move(900, 600);
  return { path, text };
}

/**
 * Runs a palette command that opens its own quick input right away (so, unlike Workbench.runCommand, the
 * widget does not close in between): the next step is an answerInput/pickItem.
 */
export async function startFlow(wb: Workbench, title: string): Promise<void> {
  const input = wb.page.locator(`${QUICK_INPUT} .quick-input-box input`);
  await wb.page.keyboard.press('Escape');
  await wb.page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  const row = wb.page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`, { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click();
}

/**
 * Gives the Topology view the room a person would: the Jobs view collapsed, the side bar dragged wider
 * (descriptions like "replica · lag 0.3s · MariaDB 10.11" are truncated at the default 300 px).
 */
export async function roomyTopology(wb: Workbench, width = 620): Promise<void> {
  const sidebar = await wb.openViewContainer('RW Migrate');
  const jobs = sidebar.locator('.pane-header[aria-label^="Jobs"]').first();
  if ((await jobs.count()) && (await jobs.getAttribute('aria-expanded')) === 'true') await jobs.click();
  await resizeSideBar(wb, sidebar, width);
}

/** Drags the side bar's edge until it is `width` wide, then parks the mouse where it hovers nothing. */
export async function resizeSideBar(wb: Workbench, sidebar: Locator, width: number): Promise<void> {
  const box = await sidebar.boundingBox();
  if (box && Math.abs(box.width - width) > 20) {
    const x = box.x + box.width;
    const y = box.y + box.height / 2;
    await wb.page.mouse.move(x - 1, y);
    await wb.page.mouse.down();
    await wb.page.mouse.move(x + (width - box.width) / 2, y, { steps: 5 });
    await wb.page.mouse.move(box.x + width, y, { steps: 5 });
    await wb.page.mouse.up();
  }
  await wb.page.mouse.move(900, 600);
}

/** A TCP port on 127.0.0.1 that nothing listens on (taken and released). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}
