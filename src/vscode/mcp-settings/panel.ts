/**
 * The MCP Servers settings panel on the one panel kit (../panels/panel-host): one at a time,
 * restored after a reload (the page restores its selection itself and asks again with `ready`),
 * with the strict CSP (no `data:` images, no style nonce). Page messages go to
 * {@link McpSettingsHandler}; every config file shown is watched so an external change reaches
 * the open form.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigFileRef } from '../../config';
import type { Logger } from '../../util/log';
import { MCP_SETTINGS_VIEW_TYPE, type McpHostMessage } from '../../webviews/mcp-settings/protocol';
import { loadOnDemand } from '../load-on-demand';
import { STRICT_CSP } from '../panels/panel-html';
import { PanelHost, type PanelHandler } from '../panels/panel-host';
import { McpSettingsHandler } from './handler';

export interface McpSettingsPanelDeps {
  extensionUri: vscode.Uri;
  logger: Logger;
  files(): Promise<ConfigFileRef[]>;
  reportError(err: unknown): void;
}

/** Which server the panel should select (name null: a new-server form for that file). */
export interface McpSettingsFocus {
  file: string;
  name: string | null;
}

/** The open panel's handler: the settings logic plus the watchers of the files it shows. */
export class McpSettingsPanelHandler implements PanelHandler {
  readonly settings: McpSettingsHandler;
  private watchers: vscode.Disposable[] = [];
  private watched = '';

  constructor(
    post: (message: McpHostMessage) => void,
    private readonly deps: Pick<McpSettingsPanelDeps, 'logger' | 'files' | 'reportError'>,
  ) {
    this.settings = new McpSettingsHandler({
      files: () => deps.files(),
      logger: deps.logger,
      post: (m) => {
        post(m);
        if (m.type === 'state') this.watch(this.settings.watchedFiles());
      },
      openFile: (file, line) => openConfigFile(file, line),
      testConnection: (target, options) => loadOnDemand().testConnection(target, options),
    });
  }

  handle(raw: unknown): Promise<void> {
    return this.settings.handle(raw);
  }

  /** Selects a server once the page shows the files (the show command's `{ file, name }`). */
  apply(args: unknown): Promise<void> {
    const focus = args as Partial<McpSettingsFocus>;
    if (typeof focus.file !== 'string' || !(focus.name === null || typeof focus.name === 'string')) {
      throw new Error('MCP Servers panel: the focus must be { file: string, name: string | null }.');
    }
    return this.settings.showServer(focus.file, focus.name);
  }

  dispose(): void {
    this.settings.dispose();
    this.clearWatchers();
  }

  private watch(files: string[]): void {
    const key = files.join('\n');
    if (key === this.watched) return;
    this.clearWatchers();
    this.watched = key;
    for (const file of files) {
      // A pattern relative to the file's folder also works outside the workspace.
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
      const changed = () => void this.settings.fileChanged(file).catch((err: unknown) => this.deps.reportError(err));
      w.onDidChange(changed);
      w.onDidCreate(changed);
      w.onDidDelete(changed);
      this.watchers.push(w);
    }
  }

  private clearWatchers(): void {
    for (const w of this.watchers.splice(0)) w.dispose();
    this.watched = '';
  }
}

export type McpSettingsPanel = PanelHost<McpSettingsPanelHandler>;

export function createMcpSettingsPanel(deps: McpSettingsPanelDeps): McpSettingsPanel {
  return new PanelHost<McpSettingsPanelHandler>(
    {
      viewType: MCP_SETTINGS_VIEW_TYPE,
      title: 'MCP Servers',
      page: 'mcp-settings',
      // Unsaved form edits survive switching tabs.
      retainContextWhenHidden: true,
      csp: STRICT_CSP,
      createHandler: ({ post }) => new McpSettingsPanelHandler(post, deps),
    },
    deps.extensionUri,
    (err) => deps.reportError(err),
  );
}

/** Re-reads the files of the open panel, if any (settings changed, or a command edited one). */
export async function refreshMcpSettings(panel: McpSettingsPanel): Promise<void> {
  await panel.panels.handler()?.settings.postState();
}

/** Opens a config file in an editor (creating an empty one when missing), at `line` (1-based) if given. */
export async function openConfigFile(file: string, line?: number): Promise<void> {
  const uri = vscode.Uri.file(file);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(file)));
    await vscode.workspace.fs.writeFile(uri, new Uint8Array());
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  const at = line ? new vscode.Position(Math.max(0, line - 1), 0) : undefined;
  await vscode.window.showTextDocument(doc, { preview: false, selection: at ? new vscode.Range(at, at) : undefined });
}
