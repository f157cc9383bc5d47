/**
 * The host's validation of the Session page's messages (zod/mini). Host only: the page imports
 * ./protocol, never this module (esbuild.mjs fails a page build that bundles zod).
 */
import * as z from 'zod/mini';
import { parseMessage, type Expect, type Same } from '../shared/parse';
import { MAX_PROMPT_CHARS, type SessionPageMessage } from './protocol';

const ms = z.number().check(z.gte(0));

export const sessionPageMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), sessionId: z.optional(z.string().check(z.minLength(1), z.maxLength(200))) }),
  z.strictObject({ type: z.literal('reply'), prompt: z.string().check(z.trim(), z.minLength(1, 'type a prompt first'), z.maxLength(MAX_PROMPT_CHARS)) }),
  z.strictObject({ type: z.literal('cancel') }),
  z.strictObject({ type: z.literal('stop') }),
  z.strictObject({ type: z.literal('approve'), id: z.string().check(z.minLength(1), z.maxLength(200)), decision: z.enum(['allow_once', 'allow_session', 'deny']) }),
  z.strictObject({ type: z.literal('copy'), text: z.string().check(z.maxLength(1_000_000)) }),
  z.strictObject({ type: z.literal('export'), to: z.enum(['clipboard', 'file']) }),
  z.strictObject({ type: z.literal('open-diff'), index: z.number().check(z.int(), z.gte(0)), path: z.string().check(z.minLength(1), z.maxLength(4096)) }),
  z.strictObject({
    type: z.literal('rendered'),
    sessionId: z.string(),
    events: z.number().check(z.int(), z.gte(0)),
    status: z.string(),
    stream: z.optional(z.strictObject({ deltas: z.number().check(z.int(), z.gte(0)), p50Ms: ms, p95Ms: ms, maxMs: ms, pageP50Ms: ms })),
    heapBytes: z.optional(ms),
    nodes: z.optional(z.number().check(z.int(), z.gte(0))),
  }),
]);

/** Compile-time proof that the schema parses to exactly the protocol's type. */
export type SessionSchemasMatchProtocol = Expect<Same<z.output<typeof sessionPageMessageSchema>, SessionPageMessage>>;

/**
 * Validates a message from the page.
 * @throws Error naming the offending field, e.g. `prompt: type a prompt first`
 */
export function parseSessionPageMessage(raw: unknown): SessionPageMessage {
  return parseMessage(sessionPageMessageSchema, raw, 'Session');
}
