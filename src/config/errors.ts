/** Errors of the MCP config module. Every message names the file or key and says what to do. */
import { parse, TomlError } from 'smol-toml';

/** The TOML text does not parse. `line`/`column` are 1-based. */
export class ConfigParseError extends Error {
  constructor(
    readonly file: string | undefined,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file ?? 'config'}:${line}:${column}: ${reason}. Fix the TOML syntax at that position; nothing was written.`);
    this.name = 'ConfigParseError';
  }
}

export type EditErrorCode = 'not-found' | 'exists' | 'invalid-name' | 'unsupported-form' | 'invalid' | 'internal';

/** An edit that cannot be applied; the text is left unchanged. */
export class ConfigEditError extends Error {
  constructor(
    readonly code: EditErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigEditError';
  }
}

/** The file changed on disk after it was read; writing would lose someone else's change. */
export class ConfigConflictError extends Error {
  readonly code = 'conflict';
  constructor(readonly file: string) {
    super(`${file} changed on disk since it was read. Reload it and apply the change again; nothing was written.`);
    this.name = 'ConfigConflictError';
  }
}

/** The edited server would be rejected by Codex; the issues say which keys and how to fix them. */
export class ConfigValidationError extends Error {
  constructor(
    readonly file: string,
    readonly issues: { key: string; message: string }[],
  ) {
    super(`${file}: the change would make Codex reject the file, so nothing was written:\n${issues.map((i) => `  ${i.message}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Parses TOML with smol-toml, turning its error into {@link ConfigParseError} (1-based line/column).
 * @param file used in the error message only.
 */
export function parseToml(text: string, file?: string, options: { integersAsBigInt?: boolean } = {}): Record<string, unknown> {
  try {
    return options.integersAsBigInt ? parse(text, { integersAsBigInt: true }) : parse(text);
  } catch (e) {
    if (e instanceof TomlError) {
      const reason = e.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? 'invalid TOML';
      throw new ConfigParseError(file, e.line, e.column, reason);
    }
    throw e;
  }
}
