/** Thin wrappers over `vscode.env`. */
import * as vscode from 'vscode';

export function writeClipboard(text: string): Thenable<void> {
  return vscode.env.clipboard.writeText(text);
}
