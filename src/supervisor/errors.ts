/**
 * Errors of the Codex supervisor. Each carries a `code` the tools map to their own error codes
 * (../server/tools/codex-tools): `busy` -> rate_limited, `not_found`, `conflict`, `forbidden`,
 * `codex_error` -> internal_error with its `kind`.
 */

/** All `maxSessions` children are running turns. */
export class CodexBusyError extends Error {
  readonly code = 'busy';
  constructor(message: string) {
    super(message);
    this.name = 'CodexBusyError';
  }
}

/** The session or thread is unknown (mapped to the tools' `not_found`). */
export class CodexSessionNotFoundError extends Error {
  readonly code = 'not_found';
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The session cannot take this call now (a turn runs, or its thread is gone). */
export class CodexSessionStateError extends Error {
  readonly code = 'conflict';
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/**
 * The approval broker did not allow a `codex` call's `danger-full-access`: nothing was started.
 * `message` is the broker's reason (shown to the agent).
 */
export class CodexApprovalDeniedError extends Error {
  readonly code = 'forbidden';
  constructor(message: string) {
    super(message);
    this.name = 'CodexApprovalDeniedError';
  }
}

/** A turn ended without an answer: Codex reported an error, the deadline passed, it was cancelled or stopped, or the child died. */
export class CodexTurnError extends Error {
  readonly code = 'codex_error';
  constructor(
    message: string,
    readonly kind: 'codex' | 'deadline' | 'cancelled' | 'stopped' | 'lost' | 'closed' | 'start',
    readonly sessionId: string,
    readonly threadId: string | null,
  ) {
    super(message);
    this.name = 'CodexTurnError';
  }
}
