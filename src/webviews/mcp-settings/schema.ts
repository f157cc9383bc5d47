/**
 * The host's validation of the MCP Servers settings page's messages (zod/mini). Host only: the page
 * imports ./protocol, never this module (esbuild.mjs fails a page build that bundles zod).
 */
import * as z from 'zod/mini';
import { parseMessage, type Expect, type Same } from '../shared/parse';
import { FORM_LIMITS as L, MAP_FIELDS, type MapRow, type McpPageMessage, type ServerForm } from './protocol';

const mapRowSchema = z.strictObject({
  key: z.string().check(z.maxLength(L.mapKey)),
  value: z.optional(z.string().check(z.maxLength(L.mapValue))),
});

const str = (max: number) => z.string().check(z.maxLength(max));
const strings = z.array(str(L.text)).check(z.maxLength(L.items));
const mapRows = z.array(mapRowSchema).check(z.maxLength(L.items));

export const serverFormSchema = z.strictObject({
  name: str(L.name),
  transport: z.enum(['stdio', 'streamable_http']),
  command: str(L.text),
  args: strings,
  env: mapRows,
  env_vars: strings,
  cwd: str(L.text),
  url: str(L.text),
  bearer_token_env_var: str(L.envVar),
  http_headers: mapRows,
  env_http_headers: mapRows,
  startup_timeout_sec: str(L.timeout),
  tool_timeout_sec: str(L.timeout),
  enabled: z.boolean(),
  enabled_tools: z.nullable(strings),
  disabled_tools: z.nullable(strings),
});

const targetSchema = {
  file: z.string().check(z.minLength(1), z.maxLength(L.text)),
  originalName: z.nullable(str(L.name)),
};
const serverName = z.string().check(z.minLength(1), z.maxLength(L.name));
/** The request id of ../shared/requests. */
const seq = z.number().check(z.int());

export const mcpPageMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('reload') }),
  z.strictObject({ type: z.literal('validate'), seq, ...targetSchema, form: serverFormSchema }),
  z.strictObject({ type: z.literal('save'), seq, ...targetSchema, form: serverFormSchema }),
  z.strictObject({ type: z.literal('remove'), seq, file: targetSchema.file, name: serverName }),
  z.strictObject({ type: z.literal('test'), seq, ...targetSchema, form: serverFormSchema }),
  z.strictObject({ type: z.literal('reveal'), file: targetSchema.file, name: serverName, field: z.enum(MAP_FIELDS), key: str(L.mapKey) }),
  z.strictObject({ type: z.literal('openFile'), file: targetSchema.file }),
]);

/** Compile-time proof that the schemas parse to exactly the protocol's types. */
export type McpSchemasMatchProtocol = [
  Expect<Same<z.output<typeof mapRowSchema>, MapRow>>,
  Expect<Same<z.output<typeof serverFormSchema>, ServerForm>>,
  Expect<Same<z.output<typeof mcpPageMessageSchema>, McpPageMessage>>,
];

/**
 * @throws Error naming each offending field when `raw` is not a valid page message.
 */
export function parseMcpPageMessage(raw: unknown): McpPageMessage {
  return parseMessage(mcpPageMessageSchema, raw, 'MCP servers settings');
}
