/**
 * The "Store Discovery" dialogue as plain steps over injected prompts (input box, quick pick), so
 * its validation is unit tested without VS Code. Limits match the `store_discovery_graph` tool
 * (src/knowledge/knowledge.ts LIMITS).
 */
import { LIMITS } from '../../knowledge/knowledge';
import type { StoreDiscoveryRequest } from '../../client/types';

export const DISCOVERY_TYPES = ['insight', 'bug_found', 'pattern', 'improvement', 'question', 'answer', 'note', 'decision'] as const;

export interface DiscoveryPrompts {
  /** Resolves undefined when the person cancels. `validate` returns an error message or undefined. */
  input(options: { title: string; prompt: string; placeHolder?: string; validate?: (value: string) => string | undefined }): Promise<string | undefined>;
  pick(options: { title: string; items: readonly string[] }): Promise<string | undefined>;
}

export function validateSummary(value: string): string | undefined {
  const t = value.trim();
  if (!t) return 'A summary is required: one line saying what you found.';
  if (t.length > LIMITS.summary) return `The summary has ${t.length} characters; at most ${LIMITS.summary}. Put the rest in the details.`;
  return undefined;
}

/** Splits "a, b ,c" into trimmed, non-empty, de-duplicated tags. */
export function parseTags(value: string): string[] {
  return [...new Set(value.split(',').map((t) => t.trim()).filter(Boolean))];
}

export function validateTags(value: string): string | undefined {
  const tags = parseTags(value);
  if (tags.length > LIMITS.tags) return `${tags.length} tags; at most ${LIMITS.tags}.`;
  const long = tags.find((t) => t.length > LIMITS.tag);
  return long ? `The tag "${long.slice(0, 20)}…" is longer than ${LIMITS.tag} characters.` : undefined;
}

/** Asks summary, type, details and tags in turn; undefined when any step is cancelled. */
export async function collectDiscovery(p: DiscoveryPrompts): Promise<StoreDiscoveryRequest | undefined> {
  const title = 'Codex Governance: Store Discovery';
  const summary = await p.input({ title: `${title} (1/4)`, prompt: 'Summary: one line other agents will search and see', validate: validateSummary });
  if (summary === undefined) return undefined;
  const discoveryType = await p.pick({ title: `${title} (2/4): type`, items: DISCOVERY_TYPES });
  if (discoveryType === undefined) return undefined;
  const details = await p.input({
    title: `${title} (3/4)`,
    prompt: 'Details (optional): what you saw, where, how to reproduce',
    validate: (v) => (v.length > LIMITS.details ? `At most ${LIMITS.details} characters.` : undefined),
  });
  if (details === undefined) return undefined;
  const tags = await p.input({ title: `${title} (4/4)`, prompt: 'Tags (optional), comma separated', placeHolder: 'parser, flaky-test', validate: validateTags });
  if (tags === undefined) return undefined;
  return { summary: summary.trim(), discoveryType, details: details.trim(), tags: parseTags(tags) };
}
