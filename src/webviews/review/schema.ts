/**
 * The host's validation of the Review page's messages (zod/mini). Host only: the page imports
 * ./protocol, never this module (esbuild.mjs fails a page build that bundles zod). Limits are the
 * dialectic service's (./protocol REVIEW_LIMITS), so a form the host accepts the tools accept.
 */
import * as z from 'zod/mini';
import { parseMessage, type Expect, type Same } from '../shared/parse';
import { REVIEW_LIMITS as L, type ReviewPageMessage } from './protocol';

const text = (max: number) => z.string().check(z.trim(), z.maxLength(max));
const list = (maxItems: number, maxChars: number, what: string) =>
  z.array(z.string().check(z.trim(), z.minLength(1, `an empty ${what}: remove the blank line`), z.maxLength(maxChars))).check(z.maxLength(maxItems, `at most ${maxItems} ${what}s`));
const kind = z.enum(['antithesis', 'synthesis']);

export const reviewPageMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), sessionId: z.optional(z.string().check(z.minLength(1), z.maxLength(L.sessionId))) }),
  z.strictObject({
    type: z.literal('submit'),
    kind,
    rootCause: z.optional(text(L.rootCause)),
    conditions: list(L.conditions, L.condition, 'condition'),
    reasoning: z.string().check(z.trim(), z.minLength(1, 'write your reasoning first: what you observed and why'), z.maxLength(L.reasoning)),
    concerns: z.optional(list(L.concerns, L.concern, 'concern')),
    agrees: z.optional(z.boolean()),
  }),
  z.strictObject({ type: z.literal('nudge'), note: z.optional(text(L.note)) }),
  z.strictObject({ type: z.literal('rendered'), sessionId: z.string(), phase: z.string(), messages: z.number().check(z.int(), z.gte(0)), yourTurn: z.nullable(kind) }),
]);

/** Compile-time proof that the schema parses to exactly the protocol's type. */
export type ReviewSchemasMatchProtocol = Expect<Same<z.output<typeof reviewPageMessageSchema>, ReviewPageMessage>>;

/**
 * Validates a message from the page.
 * @throws Error naming the offending field, e.g. `reasoning: write your reasoning first...`
 */
export function parseReviewPageMessage(raw: unknown): ReviewPageMessage {
  return parseMessage(reviewPageMessageSchema, raw, 'Review');
}

/** Parses the show command's optional argument: `{ stepIn: true }` brings the form into view. @throws Error naming the bad field */
export function parseReviewShowArgs(raw: unknown): { stepIn?: boolean } {
  return parseMessage(z.strictObject({ stepIn: z.optional(z.boolean()) }), raw, 'Review');
}
