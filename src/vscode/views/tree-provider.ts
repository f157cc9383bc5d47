/**
 * A tree view fed by a view model (agents-model.ts, knowledge-model.ts): turns {@link ViewNode}s
 * into TreeItems, reloads when the server reports a change of the view's topics, and listens for
 * changes only while the view is visible, so a hidden view costs an HTTP client no polling.
 */
import * as vscode from 'vscode';
import type { GovernanceClientSource } from '../../client/select';
import type { GovernanceClient, GovernanceTopic } from '../../client/types';
import type { ViewContent, ViewNode } from './node';

export interface ClientTreeOptions {
  viewId: string;
  topics: readonly GovernanceTopic[];
  load: (client: GovernanceClient | undefined) => Promise<ViewContent>;
  source: GovernanceClientSource;
  /** Reload this often (ms) while visible, for rows that show a countdown (the Reviews view's time left). */
  tickMs?: number;
}

export function toTreeItem(node: ViewNode): vscode.TreeItem {
  const state = node.children ? (node.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None;
  const item = new vscode.TreeItem(node.label, state);
  item.id = node.id;
  item.description = node.description;
  if (node.tooltip) {
    const md = new vscode.MarkdownString(node.tooltip);
    // Agent text is escaped by the models; no command links or HTML either way.
    md.isTrusted = false;
    md.supportHtml = false;
    item.tooltip = md;
  }
  if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon.id, node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined);
  item.contextValue = node.contextValue;
  if (node.command) item.command = { command: node.command.command, title: node.command.title, arguments: node.command.arguments };
  return item;
}

export class ClientTreeView implements vscode.TreeDataProvider<ViewNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<ViewNode>;
  private readonly disposables: vscode.Disposable[] = [];
  private unsubscribe: (() => void) | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly options: ClientTreeOptions) {
    this.view = vscode.window.createTreeView(options.viewId, { treeDataProvider: this });
    this.disposables.push(
      this.view,
      this.changed,
      this.view.onDidChangeVisibility(() => this.listen()),
      { dispose: options.source.onDidChangeClient(() => {
        this.listen();
        this.refresh();
      }) },
    );
    this.listen();
  }

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(node: ViewNode): vscode.TreeItem {
    return toTreeItem(node);
  }

  async getChildren(node?: ViewNode): Promise<ViewNode[]> {
    if (node) return node.children ?? [];
    const content = await this.options.load(this.options.source.current);
    this.view.description = content.description;
    return content.nodes;
  }

  /** The node's parent is not tracked (no reveal of nested rows needed). */
  getParent(): undefined {
    return undefined;
  }

  private listen(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.ticker);
    this.ticker = undefined;
    const client = this.options.source.current;
    if (!client || !this.view.visible) return;
    if (this.options.tickMs) this.ticker = setInterval(() => this.refresh(), this.options.tickMs);
    const topics = new Set(this.options.topics);
    this.unsubscribe = client.onDidChange((changed) => {
      if ([...changed].some((t) => topics.has(t))) this.refresh();
    });
    // Changes made while the view was hidden were not seen.
    this.refresh();
  }

  dispose(): void {
    this.unsubscribe?.();
    clearInterval(this.ticker);
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
