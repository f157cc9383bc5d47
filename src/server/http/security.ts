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
 * Accepts a Host naming a loopback address (or the explicitly bound host) on our port.
 * Browsers send the attacker's domain name here under DNS rebinding, which this rejects.
 */
export function isAllowedHost(req: IncomingMessage, boundHost: string, port: number): boolean {
  const raw = req.headers.host;
  if (!raw) return false;
  const parsed = parseHostHeader(raw);
  if (!parsed) return false;
  if (parsed.port !== undefined && parsed.port !== port) return false;
  const bare = parsed.name.replace(/^\[|\]$/g, '');
  return isLoopbackHost(bare) || bare === boundHost.toLowerCase();
}

/**
 * Accepts requests without Origin (non-browser clients) and browser requests whose Origin is a
 * loopback page or a VS Code webview; anything else is a cross-site request.
 */
export function isAllowedOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (origin.startsWith('vscode-webview://') || origin.startsWith('vscode-file://')) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname.replace(/^\[|\]$/g, ''));
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
