// Layer 4 fixture: the packaged extension (rw-migrate.vsix) installed into a fresh extensions folder of a real
// VS Code (code-server), shown in Debian's Chromium through playwright-core, driven like a user drives it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

export const REPO = resolve(__dirname, '..', '..', '..');
export const RESULTS = join(REPO, 'test-results');
export const SCREENSHOTS = join(RESULTS, 'screenshots');
export const VSIX = join(REPO, 'rw-migrate.vsix');
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

interface CodeServerHandle {
  url: string;
  port: number;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

interface CodeServerLib {
  ensureCodeServer(): Promise<string>;
  installVsix(vsix: string, extensionsDir: string, opts?: { userDataDir?: string }): Promise<string>;
  startCodeServer(opts: { port?: number; userDataDir: string; extensionsDir: string; folder?: string; env?: Record<string, string>; logFile?: string }): Promise<CodeServerHandle>;
}

async function codeServerLib(): Promise<CodeServerLib> {
  const href = pathToFileURL(join(REPO, 'scripts', 'lib', 'codeserver.mjs')).href;
  return (await import(href)) as CodeServerLib;
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, f) => Math.max(m, newestMtime(join(path, f))), st.mtimeMs);
}

/** Packages rw-migrate.vsix when it is missing or older than what goes into it. */
export function ensureVsix(): string {
  const inputs = Math.max(newestMtime(join(REPO, 'package.json')), newestMtime(join(REPO, 'dist')), newestMtime(join(REPO, 'media')));
  if (existsSync(VSIX) && statSync(VSIX).mtimeMs >= inputs) return VSIX;
  const script = join(REPO, 'scripts', 'package.mjs');
  if (!existsSync(script)) throw new Error(`${VSIX} is missing and scripts/package.mjs does not exist to make it`);
  const r = spawnSync(process.execPath, [script], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(VSIX)) throw new Error(`node scripts/package.mjs failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return VSIX;
}

export interface LaunchOptions {
  /** Names the run's folder under test-results/e2e/. */
  name: string;
  /** Workspace settings (.vscode/settings.json), e.g. { 'rwMigrate.profiles': [...] }. */
  workspaceSettings?: Record<string, unknown>;
  /** Extra user settings, e.g. { 'workbench.colorTheme': 'Default Dark Modern' }. */
  userSettings?: Record<string, unknown>;
  viewport?: { width: number; height: number };
}

export interface Notification {
  severity: 'error' | 'warning' | 'info';
  text: string;
}

export class Workbench {
  private constructor(
    readonly page: Page,
    readonly browser: Browser,
    readonly server: CodeServerHandle,
    readonly dir: string,
    readonly workspace: string,
  ) {}

  static async launch(opts: LaunchOptions): Promise<Workbench> {
    const cs = await codeServerLib();
    await cs.ensureCodeServer();
    const vsix = ensureVsix();
    const dir = join(RESULTS, 'e2e', opts.name);
    rmSync(dir, { recursive: true, force: true });
    const userDataDir = join(dir, 'user-data');
    const extensionsDir = join(dir, 'extensions');
    const workspace = join(dir, 'workspace');
    mkdirSync(join(userDataDir, 'User'), { recursive: true });
    mkdirSync(join(workspace, '.vscode'), { recursive: true });
    writeFileSync(
      join(userDataDir, 'User', 'settings.json'),
      JSON.stringify(
        {
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'workbench.welcomePage.walkthroughs.openOnInstall': false,
          'security.workspace.trust.enabled': false,
          'extensions.autoCheckUpdates': false,
          'extensions.autoUpdate': false,
          'extensions.ignoreRecommendations': true,
          'telemetry.telemetryLevel': 'off',
          'update.mode': 'none',
          // the workspace lives inside the repo's test-results/: don't offer to open the parent git repository
          'git.openRepositoryInParentFolders': 'never',
          ...opts.userSettings,
        },
        null,
        2,
      ),
    );
    writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify(opts.workspaceSettings ?? {}, null, 2));
    await cs.installVsix(vsix, extensionsDir, { userDataDir });
    const server = await cs.startCodeServer({ userDataDir, extensionsDir, folder: workspace, logFile: join(dir, 'code-server.log') });
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
      const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
      const consoleLog: string[] = [];
      page.on('console', (m) => consoleLog.push(`[${m.type()}] ${m.text()}`));
      page.on('close', () => writeFileSync(join(dir, 'browser-console.log'), consoleLog.join('\n') + '\n'));
      await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      return new Workbench(page, browser, server, dir, workspace);
    } catch (e) {
      await browser?.close().catch(() => {});
      await server.stop();
      throw e;
    }
  }

  /** Clicks the view container's activity-bar entry (opening its side bar) and returns the side bar. */
  async openViewContainer(title: string) {
    const item = this.page.locator(`.activitybar .action-item a[aria-label="${title}"], .activitybar .action-item a[aria-label^="${title} ("]`).first();
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    const sidebar = this.page.locator('#workbench\\.parts\\.sidebar');
    const header = sidebar.locator('.composite.title h2', { hasText: title });
    if (!(await header.isVisible())) {
      await item.click();
      await this.page.mouse.move(900, 600); // don't leave the activity-bar hover showing
    }
    await header.waitFor({ state: 'visible', timeout: 15_000 });
    return sidebar;
  }

  /** Runs a command from the palette by its full title, e.g. "RW Migrate: Show Worker Info". */
  async runCommand(title: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    await row.click();
    await input.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /**
   * The content frame of a webview (`iframe.webview.ready` > `#active-frame`), optionally the one whose text
   * matches. Waits until one shows up.
   */
  async webviewFrame(opts: { hasText?: string | RegExp; timeoutMs?: number } = {}): Promise<Frame> {
    const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
    let seen = 0;
    for (;;) {
      const candidates: Frame[] = [];
      for (const f of this.page.frames()) {
        const el = await f.frameElement().catch(() => null);
        if (el && (await el.getAttribute('id').catch(() => null)) === 'active-frame') candidates.push(f);
      }
      seen = candidates.length;
      for (const f of candidates) {
        if (!opts.hasText) return f;
        const text = await f.locator('body').innerText({ timeout: 1000 }).catch(() => '');
        if (typeof opts.hasText === 'string' ? text.includes(opts.hasText) : opts.hasText.test(text)) return f;
      }
      if (Date.now() > deadline) throw new Error(`No webview${opts.hasText ? ` showing ${opts.hasText}` : ''} after ${opts.timeoutMs ?? 20_000} ms (${seen} webview frame(s) present)`);
      await this.page.waitForTimeout(250);
    }
  }

  /** Waits (up to timeoutMs) until no progress bar or progress badge is showing: the UI has settled. */
  async settle(timeoutMs = 10_000): Promise<void> {
    const busy = this.page.locator('.monaco-progress-container.active:visible, .activitybar .badge .progress-badge:visible');
    const deadline = Date.now() + timeoutMs;
    while ((await busy.count()) > 0 && Date.now() < deadline) await this.page.waitForTimeout(100);
  }

  /** Saves what the user sees (once settled, pointer parked out of the way) to test-results/screenshots/NAME.png. */
  async screenshot(name: string): Promise<string> {
    await this.settle();
    await this.page.mouse.move(900, 600);
    await this.page.locator('.monaco-hover:visible, .workbench-hover-container:visible').first().waitFor({ state: 'hidden', timeout: 3000 }).catch(() => {});
    mkdirSync(SCREENSHOTS, { recursive: true });
    const path = join(SCREENSHOTS, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /** Notifications currently shown as toasts, or (with center) all in the notification center. */
  async notifications({ center = false }: { center?: boolean } = {}): Promise<Notification[]> {
    if (center) await this.runCommand('Notifications: Show Notifications');
    const scope = center ? '.notifications-center' : '.notifications-toasts';
    const items = this.page.locator(`${scope} .notification-list-item`);
    const out: Notification[] = [];
    for (let i = 0; i < (await items.count()); i++) {
      const item = items.nth(i);
      const icon = (await item.locator('.notification-list-item-icon').getAttribute('class').catch(() => '')) ?? '';
      const severity = /codicon-error/.test(icon) ? 'error' : /codicon-warning/.test(icon) ? 'warning' : 'info';
      out.push({ severity, text: (await item.locator('.notification-list-item-message').innerText().catch(() => '')).trim() });
    }
    if (center) await this.page.keyboard.press('Escape');
    return out;
  }

  /** Whether a live process descends from the code-server this fixture started (e.g. the extension's worker). */
  descendsFromServer(pid: number): boolean {
    for (let p = pid, hops = 0; p > 1 && hops < 20; hops++) {
      if (p === this.server.pid) return true;
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        p = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]); // ppid
      } catch {
        return false;
      }
    }
    return false;
  }

  async close(): Promise<void> {
    await this.page.close().catch(() => {});
    await this.browser.close().catch(() => {});
    await this.server.stop();
  }
}
