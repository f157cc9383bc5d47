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

/** Formats zod issues as `field: problem; field2: problem` so the message names every bad field. */
export function describeZodError(error: $ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(arguments)'}: ${issue.message}`)
    .join('; ');
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
