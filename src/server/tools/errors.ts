/**
 * Errors a tool call can end with, mapped by every transport to the same `{code, message}`.
 * MCP returns them as `isError` results; the OpenAI adapter as `{success: false, error}`.
 */
// zod's core error class: its `instanceof` checks a trait, so it also recognises errors thrown by
// another bundle's copy of zod (the extension host loads the server as a second bundle).
import { $ZodError } from 'zod/v4/core';

export type ToolErrorCode =
  | 'unknown_tool'
  | 'invalid_arguments'
  | 'not_found'
  | 'conflict'
  /** A call out of turn in a stateful protocol (dialectic review): the state and who may act are in the details. */
  | 'invalid_state'
  | 'rate_limited'
  | 'forbidden'
  /** The database cannot be reached right now (HTTP 503); retrying later can succeed. */
  | 'unavailable'
  | 'internal_error';

const TOOL_ERROR_CODES = new Set<string>(['unknown_tool', 'invalid_arguments', 'not_found', 'conflict', 'invalid_state', 'rate_limited', 'forbidden', 'unavailable', 'internal_error']);

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

/**
 * Maps any thrown value to a ToolCallError by its `code`, never its class name: domain errors
 * (../../core/errors, ../../supervisor/errors, the session gate's) carry one of the codes above
 * (the supervisor's `busy` maps to `rate_limited`), so an error from another bundle's copy of a
 * class (the extension host loads the server as a second bundle) maps the same way. zod errors
 * are `invalid_arguments`; a built-in RangeError (a value out of range) too; anything else is
 * `internal_error` with its message.
 */
export function toToolCallError(err: unknown): ToolCallError {
  if (err instanceof ToolCallError) return err;
  if (err instanceof $ZodError) return new ToolCallError('invalid_arguments', describeZodError(err));
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; message?: unknown; field?: unknown; details?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const code = e.code === 'busy' ? 'rate_limited' : e.code;
  if (typeof code === 'string' && TOOL_ERROR_CODES.has(code)) {
    const details = typeof e.details === 'object' && e.details !== null ? (e.details as Record<string, unknown>) : typeof e.field === 'string' ? { field: e.field } : undefined;
    return new ToolCallError(code as ToolErrorCode, message, details);
  }
  if (err instanceof RangeError) return new ToolCallError('invalid_arguments', message);
  return new ToolCallError('internal_error', message);
}
