/**
 * Errors a tool call can end with, mapped by every transport to the same `{code, message}`.
 * MCP returns them as `isError` results; the OpenAI adapter as `{success: false, error}`.
 */
// zod's core error class: its `instanceof` checks a trait, so it also recognises errors thrown by
// another bundle's copy of zod (the extension host loads the server as a second bundle).
import { $ZodError } from 'zod/v4/core';

export type ToolErrorCode = 'unknown_tool' | 'invalid_arguments' | 'not_found' | 'conflict' | 'rate_limited' | 'forbidden' | 'internal_error';

const TOOL_ERROR_CODES = new Set<string>(['unknown_tool', 'invalid_arguments', 'not_found', 'conflict', 'rate_limited', 'forbidden', 'internal_error']);

export class ToolCallError extends Error {
  constructor(readonly code: ToolErrorCode, message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = 'ToolCallError';
  }
}

/**
 * Formats zod issues as `field: problem; field2: problem` so the message names every bad field;
 * each unknown name of a strict object is its own `name: unknown argument` (top level) or
 * `parent.name: unknown field` entry.
 */
export function describeZodError(error: $ZodError): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => `${[...issue.path, key].map(String).join('.')}: ${issue.path.length ? 'unknown field' : 'unknown argument'}`).join('; ');
      }
      return `${issue.path.length ? issue.path.map(String).join('.') : '(arguments)'}: ${issue.message}`;
    })
    .join('; ');
}

/** The unknown top-level names a strict object refused (empty when none). */
export function unknownArguments(error: $ZodError): string[] {
  return error.issues.flatMap((issue) => (issue.code === 'unrecognized_keys' && issue.path.length === 0 ? issue.keys : []));
}

/** Maps any thrown value to a ToolCallError (domain errors carry `code`/`name`). */
export function toToolCallError(err: unknown): ToolCallError {
  if (err instanceof ToolCallError) return err;
  if (err instanceof $ZodError) return new ToolCallError('invalid_arguments', describeZodError(err));
  const e = err as { name?: string; code?: string; message?: string; field?: string; details?: Record<string, unknown> };
  // A ToolCallError of another bundle's copy of this module (the in-process client in the
  // extension bundle calling the server's bundle): same shape, different class.
  if (e?.name === 'ToolCallError' && typeof e.code === 'string' && TOOL_ERROR_CODES.has(e.code)) {
    return new ToolCallError(e.code as ToolErrorCode, e.message ?? '', e.details);
  }
  const message = e?.message ?? String(err);
  if (e?.name === 'NotFoundError' || e?.code === 'not_found') return new ToolCallError('not_found', message);
  if (e?.name === 'ValidationError' || e?.name === 'RangeError' || e?.code === 'invalid_arguments') {
    return new ToolCallError('invalid_arguments', message, e.field ? { field: e.field } : undefined);
  }
  if (e?.name === 'ConflictError') return new ToolCallError('conflict', message);
  return new ToolCallError('internal_error', message);
}
