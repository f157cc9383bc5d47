/**
 * The questions "New Codex Session..." asks beyond the prompt: the sandbox, and on request ("More
 * options...") the model, the approval policy and the folder. A value given in the command's
 * argument (keybindings, tests) is not asked again; an unknown one is an error naming the choices.
 */
import * as vscode from 'vscode';
import type { SandboxMode } from '../../supervisor/backend';
import type { AcceptedApprovalPolicy } from '../../supervisor/capabilities';
import { showInputBox, showQuickPick } from '../apis/window.apis';
import { APPROVAL_POLICY_CHOICES, SANDBOX_CHOICES, type NewSessionRequest } from './new-session';

/** What the command's argument may already say. */
export interface GivenOptions {
  sandbox?: unknown;
  model?: unknown;
  approvalPolicy?: unknown;
  cwd?: unknown;
}

/** The label of the sandbox pick's entry that asks the other options. */
export const MORE_OPTIONS = '$(settings-gear) More options…';
const DEFAULT = 'Codex default';
const BROWSE = '$(folder-opened) Another folder…';

function known<T extends string>(value: unknown, choices: ReadonlyArray<{ value: T }>, what: string): T | undefined {
  if (value === undefined) return undefined;
  const hit = choices.find((c) => c.value === value);
  if (!hit) throw new Error(`New Codex Session: ${what} ${JSON.stringify(value)} is not one of ${choices.map((c) => c.value).join(', ')}.`);
  return hit.value;
}

/**
 * Asks what `given` leaves open.
 * @returns the options, or undefined when the person cancelled a question
 * @throws Error naming a given value that is not a choice
 */
export async function askSessionOptions(given: GivenOptions): Promise<Omit<NewSessionRequest, 'prompt'> | undefined> {
  let sandbox = known<SandboxMode>(given.sandbox, SANDBOX_CHOICES, 'sandbox');
  let approvalPolicy = known<AcceptedApprovalPolicy>(given.approvalPolicy, APPROVAL_POLICY_CHOICES, 'approval policy');
  let model = typeof given.model === 'string' && given.model.trim() ? given.model.trim() : undefined;
  let cwd = typeof given.cwd === 'string' && given.cwd ? given.cwd : undefined;
  let more = false;
  if (!sandbox) {
    const pick = await showQuickPick(
      [...SANDBOX_CHOICES.map((c) => ({ label: c.value, detail: c.detail, value: c.value })), { label: MORE_OPTIONS, detail: 'Model, approval policy and folder', value: 'more' as const }],
      { title: 'New Codex Session (2/2): sandbox', placeHolder: 'workspace-write is the default', ignoreFocusOut: true },
    );
    if (!pick) return undefined;
    if (pick.value === 'more') {
      more = true;
      const again = await showQuickPick(SANDBOX_CHOICES.map((c) => ({ label: c.value, detail: c.detail, value: c.value })), { title: 'New Codex Session: sandbox', ignoreFocusOut: true });
      if (!again) return undefined;
      sandbox = again.value;
    } else sandbox = pick.value;
  }
  if (more) {
    if (model === undefined) {
      const typed = await showInputBox({ title: 'New Codex Session: model', prompt: 'A model name, or empty for the model in your Codex configuration', placeHolder: DEFAULT, ignoreFocusOut: true });
      if (typed === undefined) return undefined;
      model = typed.trim() || undefined;
    }
    if (approvalPolicy === undefined) {
      const pick = await showQuickPick(
        [{ label: DEFAULT, detail: 'What your Codex configuration says', value: undefined }, ...APPROVAL_POLICY_CHOICES.map((c) => ({ label: c.value, detail: c.detail, value: c.value }))],
        { title: 'New Codex Session: approval policy', ignoreFocusOut: true },
      );
      if (!pick) return undefined;
      approvalPolicy = pick.value;
    }
    if (cwd === undefined) {
      const folders = vscode.workspace.workspaceFolders ?? [];
      const pick = await showQuickPick([...folders.map((f) => ({ label: f.name, detail: f.uri.fsPath, path: f.uri.fsPath })), { label: BROWSE, detail: 'Pick a folder on disk', path: undefined }], {
        title: 'New Codex Session: folder',
        ignoreFocusOut: true,
      });
      if (!pick) return undefined;
      if (pick.path) cwd = pick.path;
      else {
        const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, title: 'Folder for the Codex session' });
        if (!chosen?.[0]) return undefined;
        cwd = chosen[0].fsPath;
      }
    }
  }
  cwd ??= vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return { sandbox, ...(cwd ? { cwd } : {}), ...(model ? { model } : {}), ...(approvalPolicy ? { approvalPolicy } : {}) };
}
