import type { z } from 'zod';

/**
 * Validates a page message against a panel protocol's zod schema.
 * @throws Error naming the panel and each offending field, e.g. `filters.query: Too big...`
 */
export function parseMessage<T>(schema: z.ZodType<T>, raw: unknown, panel: string): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
  throw new Error(`${panel} panel: invalid message from the page (${issues}).`);
}
