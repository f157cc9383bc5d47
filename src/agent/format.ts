/**
 * One line per run event for people (the CLI's default output). Streamed text is written as it
 * arrives by the caller; `model-turn` then only adds what the stream did not show.
 */
import type { AgentEvent } from './events';

/** Characters of arguments and tool output shown per line. */
const SHOWN = 300;

function clip(text: string, n = SHOWN): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n)}…` : one;
}

function money(usd: number | null): string {
  return usd === null ? 'cost unknown (model not in the price table)' : `$${usd.toFixed(6)}`;
}

/**
 * @param streamed true when the turn's text was already written as deltas
 * @returns the line, or '' for an event that adds nothing here
 */
export function formatEvent(e: AgentEvent, streamed = false): string {
  switch (e.type) {
    case 'run-started': {
      const servers = new Map<string, number>();
      for (const t of e.tools) servers.set(t.server, (servers.get(t.server) ?? 0) + 1);
      const lines = [
        `run ${e.runId} as ${e.agentId}: ${e.model} (${e.api === 'chat' ? 'Chat Completions' : 'Responses'}${e.stream ? ', streaming' : ''}) at ${e.baseUrl}`,
        `  governance: ${e.server}; deadline ${e.deadline}; at most ${e.maxSteps} steps${e.taskId ? `; task ${e.taskId}` : ''}`,
        `  tools: ${[...servers].map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}`,
        ...e.skippedServers.map((s) => `  MCP server ${s.server} left out: ${s.reason}`),
      ];
      return lines.join('\n');
    }
    case 'governance':
      return `[${e.step}] governance ${e.action}: ${e.reason}${e.reviewSessionId ? ` (peer review ${e.reviewSessionId})` : ''}`;
    case 'model-text-delta':
      return '';
    case 'model-turn': {
      const parts: string[] = [];
      if (e.text && !streamed) parts.push(`[${e.step}] model: ${clip(e.text, 2000)}`);
      if (e.refusal) parts.push(`[${e.step}] model refused: ${e.refusal}`);
      if (e.toolCalls.length) parts.push(`[${e.step}] model calls ${e.toolCalls.map((c) => c.name).join(', ')} (${e.durationMs} ms)`);
      return parts.join('\n');
    }
    case 'usage':
      return `[${e.step}] tokens ${e.inputTokens} in (${e.cachedInputTokens} cached) / ${e.outputTokens} out, ${money(e.costUsd)}; run total ${e.totalInputTokens} / ${e.totalOutputTokens}, ${money(e.totalCostUsd)}`;
    case 'tool-call':
      return `[${e.step}] tool ${e.name}${e.server ? ` (${e.server})` : ''} ${clip(typeof e.arguments === 'string' ? e.arguments : JSON.stringify(e.arguments))}`;
    case 'tool-decision': {
      const what = e.decision === 'deny' ? 'DENIED' : e.decision === 'allow_run' ? 'allowed for the run' : 'allowed once';
      return `[${e.step}]   ${what} (${e.decidedBy}${e.risk ? `, risk ${e.risk}` : ''})${e.reason ? `: ${e.reason}` : ''}`;
    }
    case 'tool-result':
      return `[${e.step}]   ${e.ok ? 'ok' : 'error'} (${e.durationMs} ms): ${clip(e.output)}`;
    case 'run-ended': {
      const head = e.reason === 'done' ? `done after ${e.steps} step(s)` : `ended (${e.reason}) after ${e.steps} step(s): ${e.message}`;
      const task = e.task ? `\ntask ${e.task.taskId}: ${e.task.outcome}${e.task.message ? ` (${e.task.message})` : ''}` : '';
      return `${head}${e.reason === 'done' ? `\n${e.finalText ?? e.message}` : ''}${task}`;
    }
  }
}
