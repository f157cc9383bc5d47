/** Wires the Sessions view, the Session panel and the session commands into the extension. */
import type { Ctx } from '../ctx';

export function registerSessions(_ctx: Ctx): void {
  // Filled in by the sessions work (issue 5).
}
