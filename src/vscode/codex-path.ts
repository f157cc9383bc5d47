/**
 * Whether a `codexGovernance.codex.path` value can run Codex, decided by the supervisor's own code
 * (../supervisor/locate: the path exists, is executable or an npm wrapper, `--version` answers with
 * a version that has the configured backend), so the check and the sessions agree. Plain
 * TypeScript, unit tested against the real binaries; ./codex-path-check shows the result.
 */
import { locateCodex, type CodexBackend, type LocatedCodex } from '../supervisor/locate';
import { SETTINGS_SECTION } from './settings';

export const CODEX_PATH_SETTING = `${SETTINGS_SECTION}.codex.path`;
export const OPEN_SETTING = 'Open Setting';

export type CodexPathCheck = { ok: true; located: LocatedCodex } | { ok: false; message: string };

/**
 * Locates the explicit `path` only (no PATH search, no bundled copy), runs `<path> --version` and
 * checks that `backend` exists in that version.
 * @param timeoutMs deadline of `--version`, ms (default 10 000)
 * @returns never throws; `message` names the setting, the path and the fix
 */
export async function checkCodexPath(path: string, backend: CodexBackend | 'auto' = 'auto', timeoutMs = 10_000): Promise<CodexPathCheck> {
  try {
    const located = await locateCodex({ explicitPath: path, forcedBackend: backend, searchPath: false, useBundled: false, versionTimeoutMs: timeoutMs });
    return { ok: true, located };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { ok: false, message: `Setting ${CODEX_PATH_SETTING} ("${path}") cannot be used: ${why}${/codex\.path/.test(why) ? '' : ` Fix ${CODEX_PATH_SETTING}, or clear it to use codex on PATH.`}` };
  }
}

