/**
 * Read-only documents under the `codex-governance:` scheme: `codex-governance:/agents/<id>.md`
 * (Observe Agent) and `codex-governance:/discoveries/<id>.md` (Open Discovery Details), fetched
 * from the server each time they are shown.
 */
import * as vscode from 'vscode';
import type { GovernanceClientSource } from '../../client/select';
import { renderAgent, renderDiscovery } from './render-docs';

export const DOC_SCHEME = 'codex-governance';
const NO_SERVER = 'The governance server is not running. Run "Codex Governance: Start Server" and open this again.\n';

export class GovernanceDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;

  constructor(private readonly source: GovernanceClientSource) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(DOC_SCHEME, this);
  }

  static agentUri(agentId: string): vscode.Uri {
    return vscode.Uri.from({ scheme: DOC_SCHEME, path: `/agents/${encodeURIComponent(agentId)}.md` });
  }

  static discoveryUri(id: string): vscode.Uri {
    return vscode.Uri.from({ scheme: DOC_SCHEME, path: `/discoveries/${encodeURIComponent(id)}.md` });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const client = this.source.current;
    if (!client) return NO_SERVER;
    const m = /^\/(agents|discoveries)\/(.+)\.md$/.exec(uri.path);
    if (!m) return `Unknown document ${uri.toString()}.\n`;
    const id = decodeURIComponent(m[2]!);
    try {
      return m[1] === 'agents' ? renderAgent(await client.observeAgent(id, 50)) : renderDiscovery(await client.getDiscoveryDetails(id));
    } catch (err) {
      return `Could not load ${m[1] === 'agents' ? 'agent' : 'discovery'} ${id}: ${err instanceof Error ? err.message : String(err)}\n`;
    }
  }

  /** Opens (or refreshes and shows) the document in a preview editor. */
  async show(uri: vscode.Uri): Promise<vscode.TextEditor> {
    // An open document keeps its old text until told it changed.
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
