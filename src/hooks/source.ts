/**
 * Which client started an observed Codex session. The hook event does not say; the rollout file it
 * names (`transcript_path`) does, in its first line, the `session_meta` record:
 * `{"type":"session_meta","payload":{..., "originator":"codex_exec", "cli_version":"0.171.0",
 * "source":"exec", ...}}` (observed with 0.153.4, 0.169.0, 0.171.0). `originator` is `codex_exec`
 * for `codex exec`, `codex_cli_rs` for the terminal UI, `codex_vscode` for the official VS Code
 * extension, or the `clientInfo.name` an app-server client sent (this project's supervisor sends
 * `codex-governance`); `source` is `exec`, `cli`, `vscode` (every app-server client), ...
 */
import { open } from 'node:fs/promises';

export type ObservedSource = 'codex-cli' | 'codex-exec' | 'codex-ide' | 'ours' | 'app-server' | 'unknown';

/** The labels the Sessions view shows. */
export const SOURCE_LABELS: Record<ObservedSource, string> = {
  'codex-cli': 'Codex CLI',
  'codex-exec': 'Codex CLI (exec)',
  'codex-ide': 'Codex IDE extension',
  ours: 'Codex Governance',
  'app-server': 'Codex app-server client',
  unknown: 'Codex (client unknown)',
};

/** The `clientInfo.name` this project's supervisor gives Codex (src/server/app.ts). */
export const OUR_CLIENT_NAME = 'codex-governance';

export interface SessionOrigin {
  source: ObservedSource;
  /** `payload.originator` of the rollout, when read. */
  originator?: string;
  /** `payload.cli_version`. */
  codexVersion?: string;
}

/** Bytes of the rollout read: the fields come before the long `base_instructions`. */
const HEAD_BYTES = 16 * 1024;

/** Classifies from the rollout's `originator` and `source` values. */
export function classifyOrigin(originator: string | undefined, source: string | undefined): ObservedSource {
  if (originator === OUR_CLIENT_NAME) return 'ours';
  if (originator === 'codex_exec' || source === 'exec') return 'codex-exec';
  if (originator === 'codex_cli_rs' || source === 'cli') return 'codex-cli';
  if (originator === 'codex_vscode' || originator?.includes('vscode')) return 'codex-ide';
  if (originator || source) return 'app-server';
  return 'unknown';
}

/** Pulls `originator`, `cli_version` and `source` out of the start of a rollout's first line. */
export function originFromRolloutHead(head: string): SessionOrigin {
  const first = head.split('\n', 1)[0] ?? '';
  if (!first.includes('"session_meta"')) return { source: 'unknown' };
  const field = (name: string) => new RegExp(`"${name}"\\s*:\\s*"([^"\\\\]{1,200})"`).exec(first)?.[1];
  const originator = field('originator');
  const codexVersion = field('cli_version');
  const origin: SessionOrigin = { source: classifyOrigin(originator, field('source')) };
  if (originator) origin.originator = originator;
  if (codexVersion) origin.codexVersion = codexVersion;
  return origin;
}

/**
 * Reads the origin from the rollout at `path`. Never throws: a missing, unreadable or foreign file
 * is `unknown` (the rollout may not be written yet at SessionStart; later events try again).
 * Only `.jsonl` files are opened, and only their first {@link HEAD_BYTES} bytes read.
 */
export async function readSessionOrigin(path: string | null | undefined): Promise<SessionOrigin> {
  if (!path || !path.endsWith('.jsonl')) return { source: 'unknown' };
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
      return originFromRolloutHead(buf.subarray(0, bytesRead).toString('utf8'));
    } finally {
      await fh.close();
    }
  } catch {
    return { source: 'unknown' };
  }
}
