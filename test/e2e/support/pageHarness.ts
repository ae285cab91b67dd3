// A throwaway host for one webview page: the built bundle (dist/webview/NAME.js) served over local HTTP in
// Debian's Chromium, inside the same shell and strict CSP as src/panels/html.ts, with VS Code's
// light, dark or high-contrast theme variables and a stub acquireVsCodeApi that records what the page sends. The test
// plays the extension host by posting the typed host messages. Not the workbench: the code-server
// e2e covers that with real jobs.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const REPO = resolve(__dirname, '..', '..', '..');
export const SCREENSHOTS = join(REPO, 'test-results', 'screenshots');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export type Theme = 'dark' | 'light' | 'high-contrast';

/** The VS Code variables the pages use, with the values of Dark Modern, Light Modern and Dark High Contrast. */
const THEMES: Record<Theme, Record<string, string>> = {
  dark: {
    foreground: '#cccccc', 'editor-background': '#1f1f1f', descriptionForeground: '#9d9d9d', errorForeground: '#f85149',
    'button-foreground': '#ffffff', 'button-background': '#0078d4', 'button-hoverBackground': '#026ec1', 'button-border': '#ffffff12',
    'button-secondaryForeground': '#cccccc', 'button-secondaryBackground': '#313131', 'button-secondaryHoverBackground': '#3c3c3c',
    'badge-background': '#616161', 'badge-foreground': '#f8f8f8', 'panel-border': '#2b2b2b', 'progressBar-background': '#0078d4',
    'editorWidget-background': '#202020', 'editorWidget-border': '#313131', 'input-background': '#313131', focusBorder: '#0078d4',
    'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-red': '#f14c4c', 'charts-green': '#89d185', 'charts-yellow': '#cca700',
    'editorWarning-foreground': '#cca700', 'testing-iconPassed': '#73c991', 'textBlockQuote-background': '#2b2b2b',
    'list-hoverBackground': '#2a2d2e', 'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff',
    'inputValidation-errorBackground': '#5a1d1d', 'inputValidation-errorBorder': '#be1100',
    'diffEditor-insertedTextBackground': '#9ccc2c33', 'diffEditor-removedTextBackground': '#ff000033',
    'checkbox-background': '#313131', 'checkbox-border': '#3c3c3c', 'textLink-foreground': '#4daafc',
    'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', 'font-size': '13px', 'editor-font-family': 'monospace',
  },
  light: {
    foreground: '#3b3b3b', 'editor-background': '#ffffff', descriptionForeground: '#3b3b3b', errorForeground: '#f85149',
    'button-foreground': '#ffffff', 'button-background': '#005fb8', 'button-hoverBackground': '#0258a8', 'button-border': '#0000001a',
    'button-secondaryForeground': '#3b3b3b', 'button-secondaryBackground': '#e5e5e5', 'button-secondaryHoverBackground': '#cccccc',
    'badge-background': '#cccccc', 'badge-foreground': '#3b3b3b', 'panel-border': '#e5e5e5', 'progressBar-background': '#005fb8',
    'editorWidget-background': '#f8f8f8', 'editorWidget-border': '#e5e5e5', 'input-background': '#ffffff', focusBorder: '#005fb8',
    'charts-blue': '#1a85ff', 'charts-orange': '#d18616', 'charts-red': '#e51400', 'charts-green': '#388a34', 'charts-yellow': '#bf8803',
    'editorWarning-foreground': '#bf8803', 'testing-iconPassed': '#388a34', 'textBlockQuote-background': '#f8f8f8',
    'list-hoverBackground': '#f2f2f2', 'list-activeSelectionBackground': '#e8e8e8', 'list-activeSelectionForeground': '#000000',
    'inputValidation-errorBackground': '#f2dede', 'inputValidation-errorBorder': '#be1100',
    'diffEditor-insertedTextBackground': '#9ccc2c40', 'diffEditor-removedTextBackground': '#ff000033',
    'checkbox-background': '#f8f8f8', 'checkbox-border': '#cecece', 'textLink-foreground': '#005fb8',
    'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', 'font-size': '13px', 'editor-font-family': 'monospace',
  },
  'high-contrast': {
    foreground: '#ffffff', 'editor-background': '#000000', descriptionForeground: '#ffffff', errorForeground: '#f48771',
    'button-foreground': '#ffffff', 'button-background': '#000000', 'button-hoverBackground': '#000000', 'button-border': '#6fc3df',
    'button-secondaryForeground': '#ffffff', 'button-secondaryBackground': '#000000', 'button-secondaryHoverBackground': '#000000',
    'badge-background': '#000000', 'badge-foreground': '#ffffff', 'panel-border': '#6fc3df', 'progressBar-background': '#6fc3df',
    'editorWidget-background': '#0c141f', 'editorWidget-border': '#6fc3df', 'input-background': '#000000', focusBorder: '#f38518',
    contrastBorder: '#6fc3df', contrastActiveBorder: '#f38518',
    'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-red': '#f14c4c', 'charts-green': '#89d185', 'charts-yellow': '#cca700',
    'editorWarning-foreground': '#ffcc00', 'testing-iconPassed': '#73c991', 'textBlockQuote-background': '#000000',
    'list-hoverBackground': '#000000', 'list-activeSelectionBackground': '#000000', 'list-activeSelectionForeground': '#ffffff',
    'inputValidation-errorBackground': '#000000', 'inputValidation-errorBorder': '#f48771',
    'diffEditor-insertedTextBackground': '#9ccc2c33', 'diffEditor-removedTextBackground': '#ff000033',
    'checkbox-background': '#000000', 'checkbox-border': '#6fc3df', 'textLink-foreground': '#21a6ff',
    'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', 'font-size': '13px', 'editor-font-family': 'monospace',
  },
};

function themeCss(theme: Theme): string {
  const vars = Object.entries(THEMES[theme]).map(([k, v]) => `  --vscode-${k}: ${v};`).join('\n');
  return `html {\n${vars}\n}\n`;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html' };

function pageHtml(origin: string, script: string, theme: Theme, state: unknown): string {
  const nonce = randomBytes(16).toString('base64');
  // Mirrors webviewHtml(): the same directives, with this server standing in for webview.cspSource.
  const csp = [`default-src 'none'`, `style-src ${origin}`, `font-src ${origin}`, `img-src ${origin} data:`, `script-src 'nonce-${nonce}'`].join('; ');
  const stub = `
    window.__sent = []; window.__csp = []; window.__state = ${JSON.stringify(state ?? null)};
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__sent.push(m),
      getState: () => window.__state ?? undefined,
      setState: (s) => { window.__state = s; },
    });`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="${origin}/theme/${theme}.css">
<link rel="stylesheet" href="${origin}/media/webview.css">
<title>${script}</title></head>
<body class="vscode-${theme}" data-vscode-theme-kind="vscode-${theme}">
<main id="app" aria-live="polite"></main>
<script nonce="${nonce}">${stub}</script>
<script nonce="${nonce}" src="${origin}/dist/webview/${script}.js"></script>
</body></html>`;
}

export interface OpenPage {
  page: Page;
  /** Messages the page posted to the host, in order. */
  sent(): Promise<unknown[]>;
  /** Delivers a host message as VS Code would (a window message event). */
  post(message: unknown): Promise<void>;
  /** CSP violations reported by the page. */
  cspViolations(): Promise<string[]>;
  /** What the page last saved with setState. */
  state(): Promise<unknown>;
  screenshot(name: string): Promise<string>;
}

export class PageHarness {
  private constructor(
    private readonly server: Server,
    private readonly origin: string,
    private readonly browser: Browser,
  ) {}

  static async launch(): Promise<PageHarness> {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const m = /^\/page\/(\w+)$/.exec(url.pathname);
      if (m) {
        const asked = url.searchParams.get('theme');
        const theme: Theme = asked === 'light' || asked === 'high-contrast' ? asked : 'dark';
        const state = url.searchParams.get('state');
        res.writeHead(200, { 'content-type': 'text/html' }).end(pageHtml(origin, m[1], theme, state ? JSON.parse(state) : null));
        return;
      }
      const t = /^\/theme\/(dark|light|high-contrast)\.css$/.exec(url.pathname);
      if (t) {
        res.writeHead(200, { 'content-type': 'text/css' }).end(themeCss(t[1] as Theme));
        return;
      }
      const file = join(REPO, url.pathname);
      const allowed = url.pathname.startsWith('/dist/webview/') || url.pathname.startsWith('/media/');
      if (!allowed || !file.startsWith(REPO) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    return new PageHarness(server, origin, browser);
  }

  async open(script: string, opts: { theme: Theme; state?: unknown; width?: number; height?: number }): Promise<OpenPage> {
    const bundle = join(REPO, 'dist', 'webview', `${script}.js`);
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run node scripts/build.mjs`);
    const page = await this.browser.newPage({
      viewport: { width: opts.width ?? 900, height: opts.height ?? 760 },
      colorScheme: opts.theme === 'light' ? 'light' : 'dark',
    });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const q = new URLSearchParams({ theme: opts.theme, ...(opts.state ? { state: JSON.stringify(opts.state) } : {}) });
    await page.goto(`${this.origin}/page/${script}?${q}`);
    await page.waitForFunction(() => (window as unknown as { __sent?: unknown[] }).__sent?.length);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return {
      page,
      sent: () => page.evaluate(() => [...(window as unknown as { __sent: unknown[] }).__sent]),
      post: async (message) => {
        await page.evaluate((m) => window.postMessage(m, '*'), message);
        await page.waitForTimeout(50);
        if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
      },
      cspViolations: () => page.evaluate(() => [...(window as unknown as { __csp: string[] }).__csp]),
      state: () => page.evaluate(() => (window as unknown as { __state: unknown }).__state),
      screenshot: async (name) => {
        mkdirSync(SCREENSHOTS, { recursive: true });
        const path = join(SCREENSHOTS, `${name}.png`);
        await page.mouse.move(0, 0);
        await page.waitForTimeout(300); // let the bar's width transition settle
        await page.screenshot({ path, fullPage: true });
        return path;
      },
    };
  }

  async close(): Promise<void> {
    await this.browser.close();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}
