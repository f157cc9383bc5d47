/**
 * The names MCP tools get when offered to an OpenAI model. OpenAI function names must match
 * `^[a-zA-Z0-9_-]{1,64}$` (OpenAI API reference, `tools[].function.name`), while MCP server and
 * tool names may hold other characters (`.`, `/`, `@`, `:` in Codex server names).
 *
 * Rule: `<server>__<tool>`, every character outside `[A-Za-z0-9_-]` replaced by `_`. When that is
 * longer than 64 characters, or another tool of the run already has that name, the name is cut to
 * 55 characters and `_` plus the first 8 hex digits of the SHA-256 of `<server>\u0000<tool>`
 * appended (64 in all), so it stays unique and stable across runs.
 * Governance tools keep their own names (they never contain `__`).
 */
import { createHash } from 'node:crypto';

/** OpenAI's limit on a function name's length. */
export const MAX_FUNCTION_NAME = 64;

const UNSAFE = /[^A-Za-z0-9_-]/g;

/** The plain form `<server>__<tool>` with unsafe characters replaced (may be over 64 characters). */
export function plainToolName(server: string, tool: string): string {
  return `${server.replace(UNSAFE, '_')}__${tool.replace(UNSAFE, '_')}`;
}

function hashed(server: string, tool: string): string {
  const suffix = createHash('sha256').update(`${server}\u0000${tool}`).digest('hex').slice(0, 8);
  return `${plainToolName(server, tool).slice(0, MAX_FUNCTION_NAME - 9)}_${suffix}`;
}

/**
 * The name of `server`'s `tool` for the model, unique among `taken` (names already given in this run).
 * @returns a string matching `^[A-Za-z0-9_-]{1,64}$`
 */
export function exposedToolName(server: string, tool: string, taken: ReadonlySet<string> = new Set()): string {
  const plain = plainToolName(server, tool);
  if (plain.length <= MAX_FUNCTION_NAME && !taken.has(plain)) return plain;
  return hashed(server, tool);
}
