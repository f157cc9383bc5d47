/**
 * Supervisor settings from the environment, for hosts without a settings UI (CLI `serve`/`stdio`):
 * `CODEX_GOVERNANCE_CODEX_PATH`, `CODEX_GOVERNANCE_CODEX_BACKEND` (auto | mcp-server | app-server),
 * `CODEX_GOVERNANCE_CODEX_MAX_SESSIONS`, `CODEX_GOVERNANCE_CODEX_TOOL_TIMEOUT_MS`,
 * `CODEX_GOVERNANCE_CODEX_SESSION_TIMEOUT_MS`. The VS Code layer maps its settings onto the same
 * options. Unset or empty variables keep the defaults.
 */
import type { CodexSupervisorOptions } from './api';

/** A variable with a value outside its range; the message names it and the fix. */
export class CodexSettingError extends Error {
  readonly code = 'invalid_arguments';
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new CodexSettingError(name, `${name}=${JSON.stringify(raw)} is not valid: use a whole number >= ${min}, or unset it for the default.`);
  return n;
}

/**
 * Reads the variables above.
 * @throws CodexSettingError naming the variable when a value is malformed.
 */
export function codexOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): CodexSupervisorOptions {
  const out: CodexSupervisorOptions = {};
  const path = env.CODEX_GOVERNANCE_CODEX_PATH?.trim();
  if (path) out.codexPath = path;
  const backend = env.CODEX_GOVERNANCE_CODEX_BACKEND?.trim();
  if (backend) {
    if (backend !== 'auto' && backend !== 'mcp-server' && backend !== 'app-server') {
      throw new CodexSettingError('CODEX_GOVERNANCE_CODEX_BACKEND', `CODEX_GOVERNANCE_CODEX_BACKEND=${JSON.stringify(backend)} is not valid: use auto, mcp-server or app-server.`);
    }
    out.backend = backend;
  }
  const max = positiveInt(env, 'CODEX_GOVERNANCE_CODEX_MAX_SESSIONS', 1);
  if (max !== undefined) out.maxSessions = max;
  const tool = positiveInt(env, 'CODEX_GOVERNANCE_CODEX_TOOL_TIMEOUT_MS', 1);
  if (tool !== undefined) out.toolTimeoutMs = tool;
  const idle = positiveInt(env, 'CODEX_GOVERNANCE_CODEX_SESSION_TIMEOUT_MS', 1);
  if (idle !== undefined) out.sessionIdleTimeoutMs = idle;
  return out;
}
