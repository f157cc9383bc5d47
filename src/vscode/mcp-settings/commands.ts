/**
 * The MCP server configuration commands: Open MCP Servers Settings, Add MCP Server, Remove MCP
 * Server, Open Config File, Connect/Disconnect Codex (./connect-commands.ts), plus the settings that choose the files
 * (`codexGovernance.mcp.codexHome`, `codexGovernance.mcp.configFiles`).
 */
import * as vscode from 'vscode';
import { applyEdit, findConfigFiles, loadConfigFile, writeConfigFile, type ConfigFileRef } from '../../config';
import type { ExtensionHost } from '../host';
import { registerConnectCommands } from './connect-commands';
import { createMcpSettingsPanel, openConfigFile, refreshMcpSettings, type McpSettingsPanel } from './panel';

export const MCP_COMMANDS = {
  openSettings: 'codexGovernance.openMcpSettings',
  addServer: 'codexGovernance.addMcpServer',
  removeServer: 'codexGovernance.removeMcpServer',
  openConfigFile: 'codexGovernance.openMcpConfigFile',
  connectCodex: 'codexGovernance.connectCodexToGovernance',
  disconnectCodex: 'codexGovernance.disconnectCodexFromGovernance',
} as const;

/** The config files the settings name, in precedence order (user, workspace folders, standalone). */
export function mcpConfigFiles(): Promise<ConfigFileRef[]> {
  const config = vscode.workspace.getConfiguration('codexGovernance.mcp');
  const home = config.get<string>('codexHome')?.trim();
  const extra = config.get<unknown>('configFiles');
  return findConfigFiles({
    codexHome: home || undefined,
    workspaceFolders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
    extraFiles: Array.isArray(extra) ? extra.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [],
  });
}

/** A file argument (path string or `{ file }`) or the user's pick; undefined when cancelled. */
async function chooseFile(arg: unknown, placeHolder: string): Promise<ConfigFileRef | undefined> {
  const refs = await mcpConfigFiles();
  const wanted = typeof arg === 'string' ? arg : typeof arg === 'object' && arg && typeof (arg as { file?: unknown }).file === 'string' ? (arg as { file: string }).file : undefined;
  if (wanted) {
    const ref = refs.find((r) => r.path === wanted);
    if (!ref) throw new Error(`${wanted} is not one of the MCP config files; add it to the setting codexGovernance.mcp.configFiles first.`);
    return ref;
  }
  if (refs.length === 1) return refs[0];
  const pick = await vscode.window.showQuickPick(
    refs.map((r) => ({ label: r.label, description: r.exists ? '' : 'new file', detail: r.path, ref: r })),
    { placeHolder },
  );
  return pick?.ref;
}

/** Registers the panel and the commands on `ctx`. */
export function registerMcpSettings(ctx: ExtensionHost): McpSettingsPanel {
  const panel = ctx.push(
    createMcpSettingsPanel({ extensionUri: ctx.extensionUri, logger: ctx.logger, files: mcpConfigFiles, reportError: (err) => ctx.reportError(err) }),
  );
  const refresh = () => refreshMcpSettings(panel);
  ctx.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('codexGovernance.mcp') || e.affectsConfiguration('codexGovernance.mcp.configFiles')) void refresh();
    }),
  );

  ctx.registerCommand(MCP_COMMANDS.openSettings, () => panel.show());

  // Optional argument: the file (path or { file }) to add the server to.
  ctx.registerCommand(MCP_COMMANDS.addServer, async (arg?: unknown) => {
    const ref = await chooseFile(arg, 'Add the MCP server to which file?');
    if (!ref) return undefined;
    await panel.show({ file: ref.path, name: null });
    return ref.path;
  });

  // Optional argument: { file, name } to skip the pick (the confirmation is still asked).
  ctx.registerCommand(MCP_COMMANDS.removeServer, async (arg?: unknown) => {
    const refs = await mcpConfigFiles();
    const loaded = await Promise.all(refs.filter((r) => r.exists).map((r) => loadConfigFile(r.path, { kind: r.kind })));
    const given = typeof arg === 'object' && arg ? (arg as { file?: unknown; name?: unknown }) : {};
    let target: { file: string; name: string } | undefined;
    if (typeof given.file === 'string' && typeof given.name === 'string') target = { file: given.file, name: given.name };
    else {
      const items = loaded.flatMap((l) => l.servers.map((s) => ({ label: s.name, description: s.transport?.type === 'stdio' ? s.transport.command : s.transport?.url, detail: l.path, file: l.path })));
      if (!items.length) {
        void vscode.window.showInformationMessage('Codex Governance: no MCP servers are configured.');
        return undefined;
      }
      const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Remove which MCP server?' });
      if (pick) target = { file: pick.file, name: pick.label };
    }
    if (!target) return undefined;
    const file = loaded.find((l) => l.path === target.file);
    if (!file) throw new Error(`${target.file} is not one of the MCP config files.`);
    if (file.parseError) throw file.parseError;
    const REMOVE = 'Remove';
    const ok = await vscode.window.showWarningMessage(`Remove the MCP server "${target.name}" from ${target.file}? A backup is kept as ${target.file}.bak.`, { modal: true }, REMOVE);
    if (ok !== REMOVE) return undefined;
    await writeConfigFile(file, applyEdit(file.text, { kind: 'remove', name: target.name }));
    ctx.logger.info(`MCP settings: removed server ${target.name} from ${target.file}.`);
    await refresh();
    return target.name;
  });

  ctx.registerCommand(MCP_COMMANDS.openConfigFile, async (arg?: unknown) => {
    const ref = await chooseFile(arg, 'Open which MCP config file?');
    if (!ref) return undefined;
    await openConfigFile(ref.path);
    return ref.path;
  });

  // Optional argument: the file (path or { file }); default the user config ($CODEX_HOME/config.toml).
  registerConnectCommands(ctx, {
    file: async (arg) => (arg === undefined ? (await mcpConfigFiles()).find((r) => r.kind === 'user') : chooseFile(arg, 'Which Codex config file?')),
    refresh,
  });
  return panel;
}
