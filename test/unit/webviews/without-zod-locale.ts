import * as z from 'zod/mini';

/**
 * Runs `fn` with no zod locale set process-wide, as in dist/extension.js, where only zod/mini is
 * bundled and nothing loads a locale (in this mocha process classic zod, loaded by server tests,
 * sets English globally and would hide a missing per-parse locale). Restores the setting after.
 */
export function withoutZodLocale<T>(fn: () => T): T {
  const saved = z.config().localeError;
  z.config({ localeError: undefined });
  try {
    return fn();
  } finally {
    z.config({ localeError: saved });
  }
}
