/**
 * The host's validation of the Knowledge graph page's messages (zod/mini). Host only: the page
 * imports ./protocol, never this module (esbuild.mjs fails a page build that bundles zod).
 */
import * as z from 'zod/mini';
import { parseMessage, type Expect, type Same } from '../shared/parse';
import { KG_LIMITS, type GraphFilters, type KgPageMessage } from './protocol';

const filtersSchema = z.strictObject({
  query: z._default(z.string().check(z.maxLength(KG_LIMITS.query)), ''),
  agentId: z.optional(z.string().check(z.maxLength(KG_LIMITS.agentId))),
  discoveryType: z.optional(z.string().check(z.maxLength(KG_LIMITS.discoveryType))),
  tag: z.optional(z.string().check(z.maxLength(KG_LIMITS.tag))),
});

export const kgPageMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), filters: z.optional(filtersSchema) }),
  z.strictObject({ type: z.literal('search'), filters: filtersSchema }),
  z.strictObject({ type: z.literal('loadMore') }),
  z.strictObject({ type: z.literal('details'), id: z.string().check(z.minLength(1), z.maxLength(KG_LIMITS.id)) }),
  z.strictObject({ type: z.literal('rendered'), nodes: z.number().check(z.int(), z.gte(0)), ms: z.number().check(z.gte(0)) }),
]);

/** Compile-time proof that the schemas parse to exactly the protocol's types. */
export type KgSchemasMatchProtocol = [Expect<Same<z.output<typeof filtersSchema>, GraphFilters>>, Expect<Same<z.output<typeof kgPageMessageSchema>, KgPageMessage>>];

/** Parses the show command's optional argument, e.g. `{ query: 'cache', agentId: 'alice' }`. */
export function parseGraphFilters(raw: unknown): GraphFilters {
  return parseMessage(filtersSchema, raw ?? {}, 'Knowledge graph');
}

/**
 * Validates a message from the page.
 * @throws Error naming the offending field, e.g. `filters.query: Too big...`
 */
export function parseKgPageMessage(raw: unknown): KgPageMessage {
  return parseMessage(kgPageMessageSchema, raw, 'Knowledge graph');
}
