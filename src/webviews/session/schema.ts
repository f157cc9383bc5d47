/**
 * The host's validation of the Session page's messages (zod/mini). Host only: the page imports
 * ./protocol, never this module (esbuild.mjs fails a page build that bundles zod).
 */
import * as z from 'zod/mini';
import { parseMessage, type Expect, type Same } from '../shared/parse';
import { MAX_PROMPT_CHARS, type SessionPageMessage } from './protocol';

export const sessionPageMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), sessionId: z.optional(z.string().check(z.minLength(1), z.maxLength(200))) }),
  z.strictObject({ type: z.literal('reply'), prompt: z.string().check(z.trim(), z.minLength(1, 'type a prompt first'), z.maxLength(MAX_PROMPT_CHARS)) }),
  z.strictObject({ type: z.literal('cancel') }),
  z.strictObject({ type: z.literal('rendered'), sessionId: z.string(), events: z.number().check(z.int(), z.gte(0)), status: z.string() }),
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
