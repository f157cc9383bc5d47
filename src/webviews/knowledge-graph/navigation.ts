/**
 * Keyboard navigation of the Knowledge graph page, without the DOM or cytoscape (unit tested).
 *
 * Two places take keys. The result list (a listbox, WAI-ARIA Authoring Practices "Listbox"
 * pattern): Up/Down/Home/End/PageUp/PageDown move the active option, Enter opens the active
 * discovery's details, Escape clears the selection. The canvas: Up/Down move through the same
 * order as the list; Right/Left step to the next/previous neighbour of the hub (the node the
 * walk started from), so repeated presses visit every node linked to it; Enter opens the
 * selected discovery's details and makes it the hub; Escape clears.
 */
import type { GraphNode } from './protocol';

export interface NavState {
  /** The selected node's id (highlighted and centred on the canvas, active in the list). */
  active?: string;
  /** The node whose neighbours Right/Left walk through; the active node when unset. */
  hub?: string;
}

export interface NavContext {
  /** Node ids in list order (the discoveries shown, as the host sent them). */
  order: readonly string[];
  /** Ids of the nodes linked to `id`, in a stable order; empty for an unknown id. */
  neighbours(id: string): readonly string[];
  /** True when `id` is a discovery (only discoveries have details). */
  isDiscovery(id: string): boolean;
}

export interface NavResult {
  state: NavState;
  /** Set when the key asks for this discovery's details. */
  open?: string;
  /** False when the key is not a navigation key here (the caller lets the browser have it). */
  handled: boolean;
}

/** Options one PageUp/PageDown moves in the list. */
export const PAGE_STEP = 10;

const unhandled = (state: NavState): NavResult => ({ state, handled: false });

/** The list's answer to `key` (a `KeyboardEvent.key`). */
export function listKey(state: NavState, key: string, ctx: NavContext): NavResult {
  const { order } = ctx;
  const at = state.active === undefined ? -1 : order.indexOf(state.active);
  const moveTo = (index: number): NavResult => {
    if (order.length === 0) return { state: {}, handled: true };
    const active = order[Math.max(0, Math.min(order.length - 1, index))]!;
    return { state: { active }, handled: true };
  };
  switch (key) {
    case 'ArrowDown':
      return moveTo(at + 1);
    case 'ArrowUp':
      return moveTo(at < 0 ? 0 : at - 1);
    case 'PageDown':
      return moveTo(at + PAGE_STEP);
    case 'PageUp':
      return moveTo(at - PAGE_STEP);
    case 'Home':
      return moveTo(0);
    case 'End':
      return moveTo(order.length - 1);
    case 'Enter':
    case ' ':
      return openActive(state, ctx);
    case 'Escape':
      return { state: {}, handled: state.active !== undefined };
    default:
      return unhandled(state);
  }
}

/** The canvas's answer to `key` (a `KeyboardEvent.key`). */
export function canvasKey(state: NavState, key: string, ctx: NavContext): NavResult {
  switch (key) {
    case 'ArrowDown':
    case 'ArrowUp':
    case 'Home':
    case 'End':
      return listKey(state, key, ctx);
    case 'ArrowRight':
    case 'ArrowLeft': {
      if (state.active === undefined) return listKey(state, 'Home', ctx);
      const hub = state.hub ?? state.active;
      const around = ctx.neighbours(hub);
      if (around.length === 0) return { state, handled: true };
      const at = around.indexOf(state.active);
      const step = key === 'ArrowRight' ? 1 : -1;
      // From the hub itself, Right goes to its first neighbour and Left to its last.
      const next = at < 0 ? (step > 0 ? 0 : around.length - 1) : (at + step + around.length) % around.length;
      return { state: { active: around[next]!, hub }, handled: true };
    }
    case 'Enter':
    case ' ': {
      if (state.active === undefined) return { state, handled: false };
      const r = openActive(state, ctx);
      // The node reached becomes the hub: Right/Left now walk its own links.
      return { ...r, state: { active: state.active }, handled: true };
    }
    case 'Escape':
      return { state: {}, handled: state.active !== undefined };
    default:
      return unhandled(state);
  }
}

function openActive(state: NavState, ctx: NavContext): NavResult {
  if (state.active === undefined || !ctx.isDiscovery(state.active)) return { state, handled: state.active !== undefined };
  return { state, open: state.active, handled: true };
}

/**
 * The accessible name of a node, read by screen readers for list options and canvas nodes:
 * a discovery's summary, type, status and author (`Cache races, type bug_found, status open,
 * agent alice`, plus `severity high` when set); an agent's id and how many of its discoveries
 * are shown.
 */
export function nodeLabel(node: GraphNode, shownDiscoveries = 0): string {
  if (node.kind === 'agent') return `agent ${node.label}, ${shownDiscoveries} ${shownDiscoveries === 1 ? 'discovery' : 'discoveries'} shown`;
  return [
    node.label,
    `type ${node.discoveryType ?? 'unknown'}`,
    `status ${node.status ?? 'unknown'}`,
    `agent ${node.agentId ?? 'unknown'}`,
    ...(node.severity ? [`severity ${node.severity}`] : []),
  ].join(', ');
}
