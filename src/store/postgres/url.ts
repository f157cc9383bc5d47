/** PostgreSQL URL helpers, kept apart from the `pg` client so the CLI can use them without loading it. */

/** `postgres://user@host:port/db` without the password (for messages, /health and logs). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/** True for a URL the PostgreSQL store handles (`postgres://` or `postgresql://`). */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}
