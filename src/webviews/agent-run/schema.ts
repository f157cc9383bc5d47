/**
 * The host's validation of the Agent run page's messages (zod/mini). Host only: the page imports
 * ./protocol, never this module (esbuild.mjs fails a page build that bundles zod).
 */
import * as z from 'zod/mini';
import { parseMessage, type Expect, type Same } from '../shared/parse';
import type { AgentRunPageMessage } from './protocol';

const count = z.number().check(z.int(), z.gte(0));

export const agentRunPageMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), runId: z.optional(z.string().check(z.minLength(1), z.maxLength(200))) }),
  z.strictObject({ type: z.literal('stop') }),
  z.strictObject({ type: z.literal('approve'), id: z.string().check(z.minLength(1), z.maxLength(200)), decision: z.enum(['allow_once', 'allow_session', 'deny']) }),
  z.strictObject({ type: z.literal('rendered'), runId: z.string().check(z.maxLength(200)), events: count, status: z.string().check(z.maxLength(50)), textChars: count, toolCalls: count, pending: count }),
]);

/** Compile-time proof that the schema parses to exactly the protocol's type. */
export type AgentRunSchemasMatchProtocol = Expect<Same<z.output<typeof agentRunPageMessageSchema>, AgentRunPageMessage>>;

/**
 * Validates a message from the page.
 * @throws Error naming the offending field, e.g. `decision: ...`
 */
export function parseAgentRunPageMessage(raw: unknown): AgentRunPageMessage {
  return parseMessage(agentRunPageMessageSchema, raw, 'Agent run');
}
