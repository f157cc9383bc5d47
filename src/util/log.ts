/**
 * A minimal logger interface shared by the core, the server and the CLI. The VS Code layer adapts it
 * to a LogOutputChannel; the CLI writes to stderr. Every message passes through {@link maskSecrets}.
 */
export interface Logger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
}

const SECRET_PATTERNS: RegExp[] = [
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{6,}/gi,
  /((?:token|secret|password|api[_-]?key|authorization)["']?\s*[:=]\s*["']?)[^\s"',}]{4,}/gi,
  /\b(sk-[A-Za-z0-9_-]{6})[A-Za-z0-9_-]+/g,
];

/** Replaces bearer tokens, `token=...`-style values and OpenAI keys in `text` with `****`. */
export function maskSecrets(text: string): string {
  let out = text;
  for (const re of SECRET_PATTERNS) out = out.replace(re, (_m, keep: string) => `${keep}****`);
  return out;
}

/** A logger that drops everything (tests, benchmarks). */
export const nullLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A logger writing masked lines to stderr; `debug` only when `verbose`. */
export function stderrLogger(verbose = false): Logger {
  const write = (level: string, message: string | Error, args: unknown[]) => {
    const text = message instanceof Error ? (message.stack ?? message.message) : message;
    const extra = args.length ? ' ' + args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') : '';
    process.stderr.write(`${new Date().toISOString()} [${level}] ${maskSecrets(text + extra)}\n`);
  };
  return {
    debug: (m, ...a) => verbose && write('debug', m, a),
    info: (m, ...a) => write('info', m, a),
    warn: (m, ...a) => write('warn', m, a),
    error: (m, ...a) => write('error', m, a),
  };
}
