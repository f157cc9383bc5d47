/**
 * How a command started by Codex (`bridge`, `hook`) finds the governance server of a data directory
 * without any environment variable: the port comes from the data directory's lock file
 * (`owner.json`, written by whichever server owns the directory: `codex-governance serve` or a VS Code
 * window, see src/store/lock.ts), the token from `<dataDir>/token` (mode 0600; the CLI creates it on
 * first run, "Connect Codex to Governance" writes the VS Code token there). Both are read again on
 * every call, so a server that moved to another port is found at its new port.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { liveDataDirOwner } from '../store/lock';
import { tokenFromDataDir, tokenFromEnv, type TokenSource } from './token';

/** Host the governance server binds by default (loopback only). */
export const SERVER_HOST = '127.0.0.1';

/** `$CODEX_GOVERNANCE_DATA_DIR`, else `~/.codex-governance`, as an absolute path. */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  return resolve(env.CODEX_GOVERNANCE_DATA_DIR?.trim() || join(homedir(), '.codex-governance'));
}

export interface RunningServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:8765`. */
  url: string;
  /** Where the URL came from: `--server` or the lock file path with the owner's pid. */
  urlSource: string;
  /**
   * Tokens to try, best first: the data directory's token file, then the environment's
   * (`CODEX_GOVERNANCE_TOKEN`): a server started with a token in its environment writes no file, and
   * a stale variable left in a shell must not hide the file of the server that owns the directory.
   */
  tokens: TokenSource[];
}

/** No server answers for the data directory; the message says how to start one. */
export class ServerNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerNotFoundError';
  }
}

export interface FindServerOptions {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** An explicit base URL (`--server`), which skips the lock file. */
  server?: string;
  /** What the person does after starting the server, appended to the not-running message (e.g. the bridge's "restart this Codex session"). */
  thenHint?: string;
}

/**
 * Locates the running server of `dataDir` (or `server`) and the tokens to try. Does no network I/O.
 * @throws ServerNotFoundError when no live process owns the data directory, it is still binding its
 *   port, or there is no token anywhere; the message names the data directory and the fix.
 */
export function findRunningServer(options: FindServerOptions): RunningServer {
  const dataDir = resolve(options.dataDir);
  const tokens = [tokenFromDataDir(dataDir), tokenFromEnv(options.env)].filter((t): t is TokenSource => t !== undefined);
  let url: string;
  let urlSource: string;
  if (options.server) {
    url = options.server.replace(/\/+$/, '');
    urlSource = '--server';
  } else {
    const owner = liveDataDirOwner(dataDir);
    if (!owner) {
      throw new ServerNotFoundError(
        `The Codex Governance server is not running for the data directory ${dataDir}. ` +
          'Start the governance server: in VS Code run "Codex Governance: Start Server", or in a terminal run ' +
          `"codex-governance serve --data-dir ${dataDir}"` + (options.thenHint ? `; then ${options.thenHint}.` : '.'),
      );
    }
    if (owner.port === null) {
      throw new ServerNotFoundError(`The Codex Governance server (process ${owner.pid}) for ${dataDir} is still starting; try again in a moment.`);
    }
    url = `http://${SERVER_HOST}:${owner.port}`;
    urlSource = `${join(dataDir, 'owner.json')} (process ${owner.pid}, ${owner.hostKind})`;
  }
  if (!tokens.length) {
    throw new ServerNotFoundError(
      `No token for the Codex Governance server: ${join(dataDir, 'token')} does not exist and CODEX_GOVERNANCE_TOKEN is not set. ` +
        'In VS Code run "Codex Governance: Connect Codex to Governance" again (it writes the token file); a server started with ' +
        '"codex-governance serve" writes it on its first run.',
    );
  }
  return { url, urlSource, tokens };
}

/** The server refused every token it was offered; the message names it and where each token came from. */
export class TokensRefusedError extends Error {
  constructor(
    readonly url: string,
    /** Where the refused tokens came from, in the order tried. */
    readonly sources: string[],
    /** What the server said to the last one (`HTTP 401`, its error message). */
    readonly last: string,
  ) {
    super(`the governance server at ${url} refused every token (${sources.join(', ') || 'none found'}): ${last}`);
    this.name = 'TokensRefusedError';
  }
}

/** A probe's answer when the server refused its token: the next token is tried. */
export class TokenRefused {
  /** @param why what the server said (`HTTP 401`, its error message) */
  constructor(readonly why: string) {}
}

/**
 * One request with one token. A {@link TokenRefused} means that token is wrong and the next one is
 * tried; any other value ends the search (a connected client, an answer to use); a throw ends it
 * too (the server is down or answered something else), and the error reaches the caller unchanged.
 */
export type TokenProbe<T> = (token: TokenSource) => Promise<T | TokenRefused>;

/**
 * Tries `found.tokens` in order (best first: a stale `CODEX_GOVERNANCE_TOKEN` must not hide the token
 * file) until one is accepted. Makes exactly the probe's requests: one on the happy path.
 * @returns the accepted token with the probe's value, or `refused` when every token was refused
 * @throws whatever `probe` throws
 */
export async function firstAcceptedToken<T>(found: Pick<RunningServer, 'url' | 'tokens'>, probe: TokenProbe<T>): Promise<{ token: TokenSource; value: T } | { refused: TokensRefusedError }> {
  let last = 'no token to try';
  for (const token of found.tokens) {
    const r = await probe(token);
    if (!(r instanceof TokenRefused)) return { token, value: r };
    last = r.why;
  }
  return { refused: new TokensRefusedError(found.url, found.tokens.map((t) => t.source), last) };
}
