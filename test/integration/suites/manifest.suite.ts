/**
 * What the manifest promises exists once the extension is active: every contributed command is
 * registered (a palette entry without a handler fails only when a person clicks it), each sits in
 * the "Codex Governance" category, and every menu entry names a contributed command.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension } from '../helpers';

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command: string }[]>;
  };
}

export function registerManifestSuite(): void {
  describe('manifest', function () {
    let manifest: Manifest;

    before(async function () {
      await activateExtension();
      manifest = vscode.extensions.getExtension('codex-governance.codex-governance')!.packageJSON as Manifest;
    });

    it('registers every contributed command, each in the "Codex Governance" category', async function () {
      const registered = new Set(await vscode.commands.getCommands(true));
      const contributed = manifest.contributes.commands;
      assert.ok(contributed.length >= 30, `only ${contributed.length} commands contributed`);
      assert.deepEqual(contributed.filter((c) => !registered.has(c.command)).map((c) => c.command), [], 'contributed but not registered');
      assert.deepEqual(contributed.filter((c) => c.category !== 'Codex Governance').map((c) => c.command), [], 'outside the category');
    });

    it('every menu entry names a contributed command', function () {
      const ids = new Set(manifest.contributes.commands.map((c) => c.command));
      const unknown = Object.entries(manifest.contributes.menus).flatMap(([menu, entries]) => entries.filter((e) => !ids.has(e.command)).map((e) => `${menu}: ${e.command}`));
      assert.deepEqual(unknown, []);
    });
  });
}
