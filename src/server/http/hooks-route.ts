/**
 * `POST /v1/hooks/codex`: one Codex hook event in, the governance decision out. The server has
 * checked Host/Origin, the bearer token and the rate limit before this runs. The body is the event
 * JSON exactly as Codex wrote it to the hook's stdin (docs/codex-hooks.md); the answer is
 * `200 {decision: {kind: "none"} | {kind: "allow"} | {kind: "deny", reason}, output, agent_id,
 * session_id}` where `output` is the JSON the hook prints for Codex (null = print nothing), or
 * `400 {success:false, error:{code:"invalid_hook_event", field, message}}`.
 * A PermissionRequest waits for the approval broker (a person, up to the policy's timeout); when
 * the hook goes away first (Codex killed it at its own timeout), the request is cancelled.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { codexHookOutput } from '../../hooks/decisions';
import { HookEventError, parseHookEvent } from '../../hooks/events';
import type { CodexHookHandler } from '../../hooks/handler';
import { readJson, sendError, sendJson } from './body';

export const HOOKS_ROUTE = '/v1/hooks/codex';

export async function handleCodexHook(req: IncomingMessage, res: ServerResponse, handler: CodexHookHandler): Promise<void> {
  let event;
  try {
    event = parseHookEvent(await readJson(req));
  } catch (err) {
    if (err instanceof HookEventError) return sendJson(res, 400, { success: false, error: { code: 'invalid_hook_event', field: err.field, message: err.message } });
    throw err;
  }
  const gone = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) gone.abort();
  };
  res.on('close', onClose);
  try {
    const result = await handler.handle(event, gone.signal);
    if (gone.signal.aborted) return;
    sendJson(res, 200, { ...result, output: codexHookOutput(event.hook_event_name, result.decision) ?? null });
  } catch (err) {
    if (gone.signal.aborted) return;
    const message = err instanceof Error ? err.message : String(err);
    sendError(res, 500, 'hook_failed', `The governance server could not handle the ${event.hook_event_name} hook (${message}); Codex decides alone.`);
  } finally {
    res.off('close', onClose);
  }
}
