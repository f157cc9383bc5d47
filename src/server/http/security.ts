/**
 * Request checks done before anything else: Host/Origin validation (DNS rebinding protection,
 * MCP spec 2025-06-18 "Transports" > "Security Warning") and the bearer token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** True for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return LOOPBACK_NAMES.has(h) || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** Splits a Host header (`name:port`, `[v6]:port`) into its name and port. */
export function parseHostHeader(value: string): { name: string; port?: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!m) return undefined;
  return { name: m[1]!.toLowerCase(), port: m[2] ? Number(m[2]) : undefined };
}

/**
 * A name clients reach the server by besides loopback (`serve --public-host NAME[:PORT]`): the TLS
 * listener's DNS name, or the name a reverse proxy forwards in Host. Without `port`, a Host naming
 * it must carry the bound port or none.
 */
export interface PublicHost {
  name: string;
  port?: number;
}

/**
 * Reads `--public-host` values (`gov.example.com`, `gov.example.com:443`, `[2001:db8::1]:8443`).
 * @throws Error naming the flag and the value when it is not a host name with an optional port
 */
export function parsePublicHost(value: string): PublicHost {
  const parsed = parseHostHeader(value);
  const bare = parsed?.name.replace(/^\[|\]$/g, '') ?? '';
  if (!parsed || !bare || /[\s/@*]/.test(bare) || (parsed.port !== undefined && (parsed.port < 1 || parsed.port > 65535))) {
    throw new Error(`--public-host "${value}" is not a host name with an optional port (governance.example.com or governance.example.com:443).`);
  }
  return { name: bare, port: parsed.port };
}

const matchesPublic = (bare: string, port: number | undefined, boundPort: number, publicHosts: readonly PublicHost[]) =>
  publicHosts.some((p) => p.name === bare && (port === undefined || port === (p.port ?? boundPort)));

/**
 * Accepts a Host naming a loopback address (or the explicitly bound host) on our port, or one of
 * the configured public host names. Browsers send the attacker's domain name here under DNS
 * rebinding, which this rejects.
 */
export function isAllowedHost(req: IncomingMessage, boundHost: string, port: number, publicHosts: readonly PublicHost[] = []): boolean {
  const raw = req.headers.host;
  if (!raw) return false;
  const parsed = parseHostHeader(raw);
  if (!parsed) return false;
  const bare = parsed.name.replace(/^\[|\]$/g, '');
  if (matchesPublic(bare, parsed.port, port, publicHosts)) return true;
  if (parsed.port !== undefined && parsed.port !== port) return false;
  return isLoopbackHost(bare) || bare === boundHost.toLowerCase();
}

/**
 * Accepts requests without Origin (non-browser clients) and browser requests whose Origin is a
 * loopback page, a VS Code webview, or an `https:` page on a configured public host; anything else
 * is a cross-site request.
 */
export function isAllowedOrigin(req: IncomingMessage, publicHosts: readonly PublicHost[] = []): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (origin.startsWith('vscode-webview://') || origin.startsWith('vscode-file://')) return true;
  try {
    const url = new URL(origin);
    const bare = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (url.protocol === 'https:' && publicHosts.some((p) => p.name === bare && (p.port ?? 443) === Number(url.port || 443))) return true;
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(bare);
  } catch {
    return false;
  }
}

/** Extracts the presented token from `Authorization: Bearer` or `X-AGENT-TOKEN`. */
export function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  const alt = req.headers['x-agent-token'];
  return typeof alt === 'string' && alt.trim() ? alt.trim() : undefined;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

// The server's token does not change between requests: hash it once, not on every request.
let expectedToken: string | undefined;
let expectedDigest: Buffer | undefined;

/** Constant-time comparison of the presented token with the expected one. */
export function hasValidToken(req: IncomingMessage, expected: string): boolean {
  const got = presentedToken(req);
  if (!got) return false;
  if (expectedToken !== expected || !expectedDigest) {
    expectedDigest = digest(expected);
    expectedToken = expected;
  }
  return timingSafeEqual(digest(got), expectedDigest);
}
