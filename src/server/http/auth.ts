/**
 * Who a request is (../../auth): the server's own token, or a `cgt_` token made with
 * `codex-governance tokens create` (admin or bound to one agent). On a server reachable from
 * beyond loopback (`--allow-non-loopback` or `--public-host`) the server's own token is not
 * accepted: only tokens from the store, which can be revoked one by one, are.
 */
import type { IncomingMessage } from 'node:http';
import { refusalMessage, type Principal, type TokenAuthenticator } from '../../auth/authenticator';
import { TOKEN_PREFIX } from '../../auth/token-format';
import { hasValidToken, presentedToken } from './security';

export interface RequestAuthOptions {
  /** The server's own token (data dir `token` or CODEX_GOVERNANCE_TOKEN). */
  serverToken: string;
  /** False on a server reachable from beyond loopback: then only store tokens are accepted. */
  acceptServerToken: boolean;
  tokens: TokenAuthenticator;
}

export type RequestAuth = { ok: true; principal: Principal; token: string } | { ok: false; message: string };

/**
 * @throws what the token store throws (StoreUnavailableError -> the caller answers 503)
 */
export async function authenticateRequest(req: IncomingMessage, options: RequestAuthOptions): Promise<RequestAuth> {
  const token = presentedToken(req);
  if (!token) return { ok: false, message: 'Unauthorized.' };
  if (options.acceptServerToken && hasValidToken(req, options.serverToken)) return { ok: true, principal: { kind: 'server' }, token };
  if (!token.startsWith(TOKEN_PREFIX)) {
    return { ok: false, message: options.acceptServerToken ? 'Unauthorized.' : 'Unauthorized: this server accepts only tokens made with codex-governance tokens create.' };
  }
  const check = await options.tokens.check(token);
  return check.ok ? { ok: true, principal: check.principal, token } : { ok: false, message: refusalMessage(check) };
}

/** The agent a principal's calls are bound to (per-agent tokens only). */
export function boundAgentOf(principal: Principal): string | undefined {
  return principal.kind === 'agent' ? principal.agentId : undefined;
}

/** A key naming who opened an MCP session: later requests in it must come from the same token. */
export function principalKey(principal: Principal): string {
  return principal.kind === 'server' ? 'server' : `token:${principal.tokenId}`;
}
