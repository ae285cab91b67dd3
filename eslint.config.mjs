import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.sandbox*/**', 'test-results/**', '*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Layering (docs/architecture.md). ESLint applies only the last matching block's options of a rule,
  // so each block lists every restriction for its files.
  ...layers(),
  {
    files: ['src/webview-pages/**/*.ts', 'media/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);

function layers() {
  const noVscode = [
    { group: ['vscode', 'vscode-languageclient*'], message: 'The engine, the worker and the CLI run outside VS Code: no VS Code API here.' },
  ];
  const engine = [...noVscode, { group: ['vscode-languageserver*'], message: 'The engine knows no RPC: src/worker wires it to the protocol.' }];
  const layer = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });
  const driverFree = [
    { group: ['mysql2', 'mysql2/*'], message: 'The extension bundle must not contain the driver: ask the worker (src/protocol).' },
    { regex: String.raw`(^|/)engine/db/connection(\.js)?$`, message: 'db/connection pulls in mysql2: ask the worker (src/protocol).' },
    {
      regex: String.raw`(^|/)engine(/[a-z-]+)?(/index(\.js)?)?$`,
      message: 'An engine index pulls in the driver: import the pure file (types, pure functions) by path.',
    },
  ];
  const peers = (other) => ({ regex: String.raw`^\.\./${other}(/|$)`, message: 'copy/ and verify/ do not import each other: move the shared piece to db/ or schema/.' });
  return [
    // The engine, the worker and the CLI never reach for the VS Code API.
    layer(['src/engine/**/*.ts'], engine),
    // The worker and the CLI see an engine folder only through its index (engine/<folder>/index.js, or engine/index.js).
    layer(['src/cli/**/*.ts', 'src/worker/**/*.ts'], [
      ...noVscode,
      { regex: String.raw`(^|/)engine/(?!index\.js$|[a-z-]+/index\.js$)`, message: "Import the engine folder's index (engine/<folder>/index.js), not a file past it." },
    ]),
    // db is the floor: it imports no other engine folder.
    layer(['src/engine/db/**/*.ts'], [...engine, { regex: String.raw`^\.\./`, message: 'engine/db imports no other engine folder (the others build on it).' }]),
    // copy and verify are peers: what both need lives in db/ (keyset SQL, raw rows) or schema/.
    layer(['src/engine/copy/**/*.ts'], [...engine, peers('verify')]),
    layer(['src/engine/verify/**/*.ts'], [...engine, peers('copy')]),
    // Extension-host code imports only pure engine files (types, pure functions), never the driver.
    layer(
      [
        'src/commands/**/*.ts',
        'src/tree/**/*.ts',
        'src/jobs/**/*.ts',
        'src/ui/**/*.ts',
        'src/panels/**/*.ts',
        'src/statusbar/**/*.ts',
        'src/connections/**/*.ts',
        'src/protocol/**/*.ts',
        'src/extension.ts',
        'src/ctx.ts',
        'src/workerClient.ts',
      ],
      driverFree,
    ),
    // Page scripts run in the webview iframe: the same, and no Node or VS Code modules either.
    layer(['src/webview-pages/**/*.ts'], [
      ...driverFree,
      { group: ['vscode', 'node:*'], message: 'Page scripts run in the webview iframe: no Node, no VS Code API (talk to the panel by postMessage).' },
    ]),
  ];
}
