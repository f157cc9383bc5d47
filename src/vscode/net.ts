/** Small network helpers for the server controller (plain Node). */
import { createServer } from 'node:net';

/** A TCP port that was free on `host` a moment ago (the OS picks it; a race with another process is possible). */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ host, port: 0, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('The OS returned no port.'))));
    });
  });
}

/**
 * True when a Codex Governance server answers `GET {baseUrl}/health` with 200 and `status: "ok"`
 * for `token` within `timeoutMs` (ms). Used to recognise the server of another VS Code window.
 */
export async function probeGovernanceServer(baseUrl: string, token: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/health`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) return false;
    const body = (await res.json()) as { status?: unknown; server?: unknown };
    return body.status === 'ok' && (body.server === undefined || body.server === 'codex-governance');
  } catch {
    return false;
  }
}
