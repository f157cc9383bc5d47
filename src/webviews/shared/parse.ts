/**
 * Host-side validation of page messages (the panels' ./schema modules). Pages never import this
 * module: it is what brings zod into a bundle.
 */
import type { ZodMiniType } from 'zod/mini';
import { en } from 'zod/locales';

/** True when A and B are assignable both ways (a schema's output and the protocol's type). */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile unless `T` is `true`. */
export type Expect<T extends true> = T;

// zod/mini loads no locale (its messages would all read "Invalid input"), and setting one with
// z.config would change every zod user in the process; a per-parse error map keeps the English
// texts (those of classic zod) to these messages only. Made on first use.
let english: ReturnType<typeof en>['localeError'] | undefined;

/**
 * Validates a page message against a panel protocol's `zod/mini` schema. Messages are zod's
 * English ones (e.g. `Too big: expected string to have <=1000 characters`) unless the schema sets its own.
 * @throws Error naming the panel and each offending field, e.g. `filters.query: Too big...`
 */
export function parseMessage<T>(schema: ZodMiniType<T>, raw: unknown, panel: string): T {
  english ??= en().localeError;
  const parsed = schema.safeParse(raw, { error: english });
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
  throw new Error(`${panel} panel: invalid message from the page (${issues}).`);
}
