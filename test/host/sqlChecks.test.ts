// SQL checks in the real extension host: a .sql document opened in the editor gets the worker's
// diagnostics (through the language client), each named by its rule; switching a rule off in the
// settings removes it; an edit re-checks. Read through vscode.languages.getDiagnostics, polled with a deadline.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { whenTrue } from './eventually';
import { record } from './metrics';

const EXTENSION_ID = 'rw-migrate.rw-migrate';

const SCRIPT = [
  '-- UPDATE t SET a = 1 (a comment: no diagnostic)',
  "UPDATE orders SET note = 'WHERE id = 1';",
  'DELETE FROM orders WHERE 1 = 1;',
  'DELETE FROM orders WHERE id > 10 LIMIT 100;',
  'INSERT INTO audit (id) VALUES (UUID());',
  'LOCK TABLES orders WRITE;',
  'FLUSH TABLES WITH READ LOCK;',
  "SELECT 'UPDATE t SET a = 1' AS harmless;",
].join('\n');

function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : String(c);
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'RW Migrate');
}

/** Reads diagnostics again on every change of them until `ok` holds (no polling). */
function waitFor<T>(what: string, read: () => T, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  return whenTrue(what, timeoutMs, [vscode.languages.onDidChangeDiagnostics], () => {
    const v = read();
    return ok(v) ? { v } : undefined;
  }).then((r) => r.v);
}

describe('SQL checks on a .sql document', function () {
  this.timeout(60_000);
  let doc: vscode.TextDocument;

  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    await ext.activate();
  });

  after(async () => {
    await vscode.workspace.getConfiguration('rwMigrate').update('sqlChecks.disabledRules', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('publishes one diagnostic per risky statement, each named by its rule', async () => {
    const t0 = performance.now();
    doc = await vscode.workspace.openTextDocument({ language: 'sql', content: SCRIPT });
    await vscode.window.showTextDocument(doc);
    const diags = await waitFor('diagnostics', () => ours(doc.uri), (d) => d.length >= 6);
    record('sqlChecksFirstDiagnosticsMs', Math.round(performance.now() - t0));
    const byLine = diags.map((d) => `${d.range.start.line}:${codeOf(d)}`).sort();
    assert.deepEqual(byLine, [
      '1:write-without-where',
      '2:write-without-where',
      '3:binlog-limit-without-order',
      '4:binlog-nondeterministic-function',
      '5:lock-tables',
      '6:flush-on-primary',
    ]);
    const limit = diags.find((d) => codeOf(d) === 'binlog-limit-without-order');
    assert.ok(limit);
    assert.equal(doc.getText(limit.range), 'LIMIT 100');
    assert.equal(limit.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(limit.message, /ORDER BY/);
  });

  it('drops a rule switched off in the settings, and brings it back', async () => {
    await vscode.workspace.getConfiguration('rwMigrate').update('sqlChecks.disabledRules', ['write-without-where', 'lock-tables'], vscode.ConfigurationTarget.Global);
    const after = await waitFor('disabled rules to vanish', () => ours(doc.uri).map(codeOf).sort(), (c) => c.length === 3);
    assert.deepEqual(after, ['binlog-limit-without-order', 'binlog-nondeterministic-function', 'flush-on-primary']);
    await vscode.workspace.getConfiguration('rwMigrate').update('sqlChecks.disabledRules', undefined, vscode.ConfigurationTarget.Global);
    await waitFor('rules to come back', () => ours(doc.uri).length, (n) => n === 6);
  });

  it('re-checks the document after an edit', async () => {
    const editor = await vscode.window.showTextDocument(doc);
    // Give the first UPDATE a WHERE: its diagnostic goes, the rest stay.
    const line = doc.lineAt(1);
    await editor.edit((e) => e.replace(line.range, "UPDATE orders SET note = 'x' WHERE id = 1;"));
    const codes = await waitFor('the edit to be checked', () => ours(doc.uri).map((d) => `${d.range.start.line}:${codeOf(d)}`).sort(), (c) => c.length === 5);
    assert.ok(!codes.includes('1:write-without-where'), codes.join(', '));
  });

  it('offers ALGORITHM=INSTANT as the quick fix of a DDL finding, and the fix clears it', async () => {
    const ddl = await vscode.workspace.openTextDocument({ language: 'sql', content: 'ALTER TABLE orders ADD COLUMN note TEXT;\n' });
    await vscode.window.showTextDocument(ddl);
    const [finding] = await waitFor('the DDL hint', () => ours(ddl.uri).filter((d) => codeOf(d) === 'ddl-large-table'), (d) => d.length === 1);
    assert.equal(finding.severity, vscode.DiagnosticSeverity.Hint, 'size unknown without an active profile: a hint');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', ddl.uri, finding.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => /ALGORITHM=INSTANT/.test(a.title));
    assert.ok(fix?.edit, `quick fixes: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(ddl.getText(), 'ALTER TABLE orders ADD COLUMN note TEXT, ALGORITHM=INSTANT;\n');
    await waitFor('the finding to clear', () => ours(ddl.uri).length, (n) => n === 0);
  });
});
