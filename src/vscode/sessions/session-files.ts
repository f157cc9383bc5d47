/**
 * What the Session panel does with files: "Open diff" of a change Codex made (VS Code's diff
 * editor: the file before the change, rebuilt by reversing Codex's unified diff on the file as it
 * is now with jsdiff, beside the file itself), and saving the transcript as Markdown (temp file +
 * rename, so a failed write leaves no half file).
 */
import { randomUUID } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { applyPatch, parsePatch, reversePatch } from 'diff';
import * as vscode from 'vscode';
import type { ChangeToOpen } from './session-handler';

const SCHEME = 'codex-governance-change';

/** Read-only documents holding the "before" side of a diff. */
class BeforeContents implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
  put(path: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: SCHEME, path, query: randomUUID() });
    this.texts.set(uri.toString(), text);
    return uri;
  }
}

/** A unified diff jsdiff can parse: Codex sends bare hunks for updates. */
function withHeaders(diff: string, path: string): string {
  return /^--- /m.test(diff) ? diff : `--- a/${path}\n+++ b/${path}\n${diff}`;
}

/**
 * The file's text before `diff` was applied to it, from its text now.
 * @returns undefined when the diff does not reverse cleanly (the file changed again since)
 */
export function textBefore(now: string, diff: string, path: string): string | undefined {
  const [patch] = parsePatch(withHeaders(diff, path));
  if (!patch) return undefined;
  const before = applyPatch(now, reversePatch(patch));
  return before === false ? undefined : before;
}

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

export interface SessionFiles extends vscode.Disposable {
  openDiff(change: ChangeToOpen): Promise<void>;
  saveMarkdown(markdown: string, suggestedName: string): Promise<string | undefined>;
}

export function sessionFiles(): SessionFiles {
  const before = new BeforeContents();
  const registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, before);
  const showDiffText = async (change: ChangeToOpen, why: string) => {
    const doc = await vscode.workspace.openTextDocument({ content: `# ${change.path}: ${why}\n${change.diff}`, language: 'diff' });
    await vscode.window.showTextDocument(doc, { preview: true });
  };
  return {
    async openDiff(change) {
      const file = vscode.Uri.file(isAbsolute(change.path) ? change.path : join(change.cwd, change.path));
      const title = `${basename(change.path)} (Codex ${change.kind})`;
      const now = await readText(file);
      if (change.kind === 'add') {
        const right = now !== undefined ? file : before.put(change.path, change.diff.replace(/^\+/gm, ''));
        return void (await vscode.commands.executeCommand('vscode.diff', before.put(change.path, ''), right, title));
      }
      if (change.kind === 'delete') {
        const old = change.diff ? change.diff.replace(/^-/gm, '') : '';
        return void (await vscode.commands.executeCommand('vscode.diff', before.put(change.path, old), before.put(`${change.path} (deleted)`, ''), title));
      }
      if (now === undefined) return showDiffText(change, 'the file no longer exists; the change as Codex made it');
      const old = textBefore(now, change.diff, change.path);
      if (old === undefined) return showDiffText(change, 'the file changed since; the change as Codex made it');
      await vscode.commands.executeCommand('vscode.diff', before.put(change.path, old), file, title);
    },
    async saveMarkdown(markdown, suggestedName) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const target = await vscode.window.showSaveDialog({ title: 'Export Codex Session Transcript', filters: { Markdown: ['md'] }, ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, suggestedName) } : {}) });
      if (!target) return undefined;
      if (target.scheme !== 'file') {
        await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(markdown));
        return target.toString();
      }
      const tmp = join(dirname(target.fsPath), `.${basename(target.fsPath)}.${process.pid}.tmp`);
      try {
        await writeFile(tmp, markdown, 'utf8');
        await rename(tmp, target.fsPath);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      return target.fsPath;
    },
    dispose: () => {
      registration.dispose();
    },
  };
}
