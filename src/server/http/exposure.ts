/**
 * What a server reachable from beyond loopback needs before it starts. Rule: a listener on a
 * non-loopback address serves TLS itself (`--tls-cert`, `--tls-key`); a wildcard address also
 * needs the names clients use (`--public-host`, for the Host check); and a server that is
 * reachable from elsewhere (non-loopback, or behind a reverse proxy named with `--public-host`)
 * accepts only tokens made with `codex-governance tokens create`, at least one of them bound to
 * an agent, never the data directory's single token.
 */
import type { TokenRepository } from '../../auth/repository';
import { isLoopbackHost, type PublicHost } from './security';

export interface ExposureOptions {
  host: string;
  allowNonLoopback?: boolean;
  tls?: { cert: string | Buffer; key: string | Buffer };
  publicHosts?: readonly PublicHost[];
}

/** True when clients beyond this machine can reach the server (directly or through a proxy). */
export function isExposed(options: ExposureOptions): boolean {
  return !isLoopbackHost(options.host.replace(/^\[|\]$/g, '')) || (options.publicHosts?.length ?? 0) > 0;
}

/**
 * Checks the listener options (before anything is opened).
 * @throws Error naming the missing flags: non-loopback without --allow-non-loopback, without
 *   --tls-cert/--tls-key, or on a wildcard address without --public-host
 */
export function checkListenerOptions(options: ExposureOptions): void {
  const bare = options.host.replace(/^\[|\]$/g, '');
  if (isLoopbackHost(bare)) return;
  if (!options.allowNonLoopback) throw new Error(`Refusing to bind ${options.host}: only loopback addresses are allowed unless --allow-non-loopback is given.`);
  if (!options.tls) {
    throw new Error(
      `Refusing to serve on ${options.host} without TLS: --allow-non-loopback needs --tls-cert FILE.pem and --tls-key FILE.pem ` +
        `(or keep the server on 127.0.0.1 behind a reverse proxy that terminates TLS, with --public-host NAME; see README "Team mode").`,
    );
  }
  if ((bare === '0.0.0.0' || bare === '::') && !options.publicHosts?.length) {
    throw new Error(`Serving on ${options.host} (every interface) needs --public-host NAME[:PORT] for each name clients use to reach it: the Host header is checked against them (DNS-rebinding protection).`);
  }
}

/**
 * @throws Error naming `codex-governance tokens create` when no usable per-agent token exists
 */
export async function requireAgentTokens(tokens: TokenRepository, nowMs: number): Promise<void> {
  if ((await tokens.countUsableAgentTokens(nowMs)) > 0) return;
  throw new Error(
    'A server reachable from beyond loopback (--allow-non-loopback or --public-host) accepts only per-agent tokens, and this store has none that is usable. ' +
      'Create one first: codex-governance tokens create --agent NAME (with the same --data-dir or --database), then start the server again.',
  );
}
