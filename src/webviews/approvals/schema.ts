/**
 * The host's validation of the Approvals page's messages (zod/mini). Host only: the page imports
 * ./protocol, never this module (esbuild.mjs fails a page build that bundles zod).
 */
import * as z from 'zod/mini';
import { parseMessage, type Expect, type Same } from '../shared/parse';
import { FILTER_LIMITS, MAX_REASON, OUTCOMES, RISKS, type ApprovalsPageMessage, type HistoryFilters } from './protocol';

const filtersSchema = z.strictObject({
  outcome: z.optional(z.enum(OUTCOMES)),
  risk: z.optional(z.enum(RISKS)),
  source: z.optional(z.string().check(z.minLength(1), z.maxLength(FILTER_LIMITS.source))),
  agent: z.optional(z.string().check(z.minLength(1), z.maxLength(FILTER_LIMITS.agent))),
  text: z.optional(z.string().check(z.minLength(1), z.maxLength(FILTER_LIMITS.text))),
});

export const approvalsPageMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), filters: z.optional(filtersSchema) }),
  z.strictObject({
    type: z.literal('answer'),
    id: z.string().check(z.minLength(1), z.maxLength(100)),
    decision: z.enum(['allow_once', 'allow_session', 'deny']),
    reason: z.optional(z.string().check(z.maxLength(MAX_REASON))),
  }),
  z.strictObject({ type: z.literal('filter'), filters: filtersSchema }),
  z.strictObject({ type: z.literal('more'), cursor: z.string().check(z.minLength(1), z.maxLength(20)) }),
  z.strictObject({ type: z.literal('rendered'), pending: z.number().check(z.int(), z.gte(0)), history: z.number().check(z.int(), z.gte(0)), filters: filtersSchema }),
]);

/** Compile-time proof that the schemas parse to exactly the protocol's types. */
export type ApprovalsSchemasMatchProtocol = [Expect<Same<z.output<typeof filtersSchema>, HistoryFilters>>, Expect<Same<z.output<typeof approvalsPageMessageSchema>, ApprovalsPageMessage>>];

/** Parses the show command's optional argument, e.g. `{ outcome: 'denied' }`. @throws Error naming the bad field */
export function parseHistoryFilters(raw: unknown): HistoryFilters {
  return parseMessage(filtersSchema, raw, 'Approvals');
}

/**
 * Validates a message from the page.
 * @throws Error naming the offending field, e.g. `reason: Too big...`
 */
export function parseApprovalsPageMessage(raw: unknown): ApprovalsPageMessage {
  return parseMessage(approvalsPageMessageSchema, raw, 'Approvals');
}
