/**
 * Errors a tool call can end with, mapped by every transport to the same `{code, message}`.
 * MCP returns them as `isError` results; the OpenAI adapter as `{success: false, error}`.
 */
import { z } from 'zod';

export type ToolErrorCode = 'unknown_tool' | 'invalid_arguments' | 'not_found' | 'conflict' | 'rate_limited' | 'forbidden' | 'internal_error';

export class ToolCallError extends Error {
  constructor(readonly code: ToolErrorCode, message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = 'ToolCallError';
  }
}

/** Formats zod issues as `field: problem; field2: problem` so the message names every bad field. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(arguments)'}: ${issue.message}`)
    .join('; ');
}

/** Maps any thrown value to a ToolCallError (domain errors carry `code`/`name`). */
export function toToolCallError(err: unknown): ToolCallError {
  if (err instanceof ToolCallError) return err;
  if (err instanceof z.ZodError) return new ToolCallError('invalid_arguments', describeZodError(err));
  const e = err as { name?: string; code?: string; message?: string; field?: string };
  const message = e?.message ?? String(err);
  if (e?.name === 'NotFoundError' || e?.code === 'not_found') return new ToolCallError('not_found', message);
  if (e?.name === 'ValidationError' || e?.name === 'RangeError' || e?.code === 'invalid_arguments') {
    return new ToolCallError('invalid_arguments', message, e.field ? { field: e.field } : undefined);
  }
  if (e?.name === 'ConflictError') return new ToolCallError('conflict', message);
  return new ToolCallError('internal_error', message);
}
