/**
 * What a view command was invoked on: a tree row (VS Code passes the element, a {@link ViewNode}),
 * the row's click command (its {@link NodeTarget}), or a plain id string (palette, keybinding, tests).
 */
import type { NodeTarget, ViewNode } from './node';

export function targetOf(arg: unknown): NodeTarget | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const node = arg as Partial<ViewNode>;
  if (node.target) return node.target;
  const t = arg as Partial<NodeTarget>;
  return typeof t.kind === 'string' ? (arg as NodeTarget) : undefined;
}

export function agentIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return arg;
  const t = targetOf(arg);
  return t?.kind === 'agent' ? t.agentId : undefined;
}

export function discoveryIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return arg;
  const t = targetOf(arg);
  return t?.kind === 'discovery' ? t.id : undefined;
}

/** A dialectic session id from a Reviews row, its click target, or a plain id string. */
export function reviewIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return arg;
  const t = targetOf(arg);
  return t?.kind === 'review' ? t.sessionId : undefined;
}
