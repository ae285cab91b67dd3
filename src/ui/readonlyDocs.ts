/**
 * Read-only text views (row counts, replication status, a job's summary) under the `rw-migrate` scheme:
 * as Untitled documents they were editable and asked to be saved on close, though nothing there is the
 * user's to keep.
 */
import * as vscode from 'vscode';

export const READONLY_SCHEME = 'rw-migrate';

export class ReadonlyDocs implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private seq = 0;
  private readonly disposables: vscode.Disposable[];

  constructor() {
    this.disposables = [
      vscode.workspace.registerTextDocumentContentProvider(READONLY_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme === READONLY_SCHEME) this.contents.delete(d.uri.toString());
      }),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** Opens `markdown` in a tab named `title`; `preview` tabs are replaced by the next preview. */
  async show(title: string, markdown: string, opts: { preview: boolean } = { preview: true }): Promise<void> {
    const name = title.replace(/[\\/:*?"<>|#%]+/g, ' ').replace(/\s+/g, ' ').trim();
    // The query keeps two views of the same title apart (each opening shows what it was given).
    const uri = vscode.Uri.from({ scheme: READONLY_SCHEME, path: `/${name}.md`, query: String(++this.seq) });
    this.contents.set(uri.toString(), markdown);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: opts.preview });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.contents.clear();
  }
}
