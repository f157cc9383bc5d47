/**
 * Domain errors of the governance core, the knowledge graph and the store. Transports map them by
 * `name`/`code` (see src/server/tools/errors.ts): NotFoundError -> `not_found`,
 * ValidationError -> `invalid_arguments` (with `field`), ConflictError -> `conflict`.
 */

/** Something the caller named (an agent, a discovery) does not exist. */
export class NotFoundError extends Error {
  readonly code = 'not_found';
  /**
   * @param kind what was looked up, e.g. `agent`, `discovery`
   * @param id the id that was not found
   */
  constructor(readonly kind: string, readonly id: string, message?: string) {
    super(message ?? `No ${kind} with id "${id}" exists.`);
    this.name = 'NotFoundError';
  }
}

/** An input value is unusable; `field` names the argument (snake_case as callers spell it). */
export class ValidationError extends Error {
  readonly code = 'invalid_arguments';
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** The request contradicts stored state (e.g. a duplicate id). */
export class ConflictError extends Error {
  readonly code = 'conflict';
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/**
 * The database cannot be reached right now (PostgreSQL restarting, network cut). Transports answer
 * HTTP 503; the store reconnects by itself, so the same request can be retried.
 */
export class StoreUnavailableError extends Error {
  readonly code = 'unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
