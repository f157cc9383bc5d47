/**
 * Where the Approvals panel reads the audit log, without `vscode`: the running server's own
 * {@link AuditLog} when this window runs it, else `GET /audit` of the server another window runs
 * (with the bearer token). Both answer the same queries (../../approvals/audit-query) with the
 * same page shape, so the panel does not care which one it has.
 */
import { auditQueryParams, readAudit, type AuditQuery, type AuditQueryPage } from '../../approvals/audit-query';
import type { AuditLog } from '../../store/audit';

export interface AuditSource {
  /** `in-process` (this window's server) or `http` (another window's). */
  readonly kind: 'in-process' | 'http';
  /** @throws Error with the server's message (bad cursor, unreachable server, bad token) */
  read(q: AuditQuery): Promise<AuditQueryPage>;
}

export function inProcessAuditSource(audit: AuditLog): AuditSource {
  return { kind: 'in-process', read: (q) => readAudit(audit, q) };
}

/**
 * @param url base URL without a trailing slash, e.g. `http://127.0.0.1:8765`
 * @param token read per call (a rotated secret applies at once)
 * @param timeoutMs per request, ms (default 10000)
 */
export function httpAuditSource(url: string, token: () => Promise<string>, timeoutMs = 10_000): AuditSource {
  return {
    kind: 'http',
    read: async (q) => {
      let res: Response;
      try {
        res = await fetch(`${url}/audit?${auditQueryParams(q).toString()}`, {
          headers: { authorization: `Bearer ${await token()}` },
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new Error(`The governance server at ${url} did not answer GET /audit: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      const body = (await res.json().catch(() => undefined)) as (AuditQueryPage & { error?: { message?: string } }) | undefined;
      if (res.ok && body && Array.isArray(body.entries)) return body;
      throw new Error(`GET /audit at ${url} failed with HTTP ${res.status}: ${body?.error?.message ?? 'no JSON body'}`);
    },
  };
}
