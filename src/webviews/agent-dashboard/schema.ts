/**
 * The host's validation of the Agent dashboard page's messages (zod/mini). Host only: the page
 * imports ./protocol, never this module (esbuild.mjs fails a page build that bundles zod).
 */
import * as z from 'zod/mini';
import { parseMessage, type Expect, type Same } from '../shared/parse';
import { MAX_AGENT_ID, MAX_COMPARED, type DashboardPageMessage } from './protocol';

const agentIds = z.array(z.string().check(z.minLength(1), z.maxLength(MAX_AGENT_ID))).check(z.maxLength(MAX_COMPARED));

export const dashboardPageMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), agentIds: z.optional(agentIds) }),
  z.strictObject({ type: z.literal('openReview'), sessionId: z.string().check(z.minLength(1), z.maxLength(100)) }),
  z.strictObject({ type: z.literal('select'), agentIds }),
  z.strictObject({ type: z.literal('rendered'), agentIds, points: z.number().check(z.int(), z.gte(0)) }),
]);

/** Compile-time proof that the schema parses to exactly the protocol's type. */
export type DashboardSchemasMatchProtocol = Expect<Same<z.output<typeof dashboardPageMessageSchema>, DashboardPageMessage>>;

/** Parses the show command's optional argument, e.g. `{ agentIds: ['alice', 'bob'] }`. */
export function parseDashboardSelection(raw: unknown): { agentIds: string[] } {
  return parseMessage(z.strictObject({ agentIds }), raw, 'Agent dashboard');
}

/**
 * Validates a message from the page.
 * @throws Error naming the offending field, e.g. `agentIds: Too big...`
 */
export function parseDashboardPageMessage(raw: unknown): DashboardPageMessage {
  return parseMessage(dashboardPageMessageSchema, raw, 'Agent dashboard');
}
