/**
 * Prompters without VS Code:
 * - {@link ScriptedPrompter}: answers from a script (tests, benchmarks, demos);
 * - {@link TerminalPrompter}: an optional terminal prompt for a headless server on a TTY
 *   (`--approval-prompt tty`): `y` = allow once, `s` = allow for this session, anything else = deny
 *   (the rest of the line, if any, is the reason). Prompts are asked one at a time.
 * A headless server without either has no prompter at all: the policy alone decides (see ./broker).
 */
import { createInterface } from 'node:readline/promises';
import type { ApprovalAnswer } from './vocabulary';
import type { ApprovalPrompter, PendingApproval } from './types';

/** How a scripted prompter answers: an answer, a value to return as-is, an error to throw, or `hang` (never answers). */
export type ScriptedStep = ApprovalAnswer | { throw: string } | { raw: unknown } | 'hang';

export class ScriptedPrompter implements ApprovalPrompter {
  /** Every request the prompter was shown, in order. */
  readonly seen: PendingApproval[] = [];

  /** @param script answers per request; `next` decides once the list runs out (default deny). */
  constructor(private readonly script: ScriptedStep[] | ((p: PendingApproval) => ScriptedStep) = []) {}

  async prompt(pending: PendingApproval): Promise<ApprovalAnswer> {
    this.seen.push(pending);
    const step = typeof this.script === 'function' ? this.script(pending) : (this.script.shift() ?? { decision: 'deny', reason: 'script exhausted' });
    if (step === 'hang') return new Promise<never>(() => undefined);
    if ('throw' in step) throw new Error(step.throw);
    if ('raw' in step) return step.raw as ApprovalAnswer;
    return step;
  }
}

/** One line describing a request (terminal prompt, logs). */
export function describePending(p: PendingApproval): string {
  const parts = [`[${p.risk.toUpperCase()}] ${p.source}`];
  if (p.command) parts.push(`command: ${p.command}`);
  if (p.cwd) parts.push(`cwd: ${p.cwd}`);
  if (p.sandbox) parts.push(`sandbox: ${p.sandbox}`);
  if (p.agentId) parts.push(`agent: ${p.agentId}`);
  if (p.reason) parts.push(`why: ${p.reason}`);
  return parts.join(' | ');
}

/** Parses a terminal answer: `y`/`yes`, `s`/`session`, else deny with the text after the first word as reason. */
export function parseTerminalAnswer(line: string): ApprovalAnswer {
  const text = line.trim();
  const [word = '', ...rest] = text.split(/\s+/);
  const w = word.toLowerCase();
  if (w === 'y' || w === 'yes') return { decision: 'allow_once' };
  if (w === 's' || w === 'session') return { decision: 'allow_session' };
  const reason = w === 'n' || w === 'no' || w === 'd' || w === 'deny' ? rest.join(' ') : text;
  return { decision: 'deny', reason: reason ? `Denied at the terminal: ${reason}` : 'Denied at the terminal.' };
}

export class TerminalPrompter implements ApprovalPrompter {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly input: NodeJS.ReadableStream = process.stdin, private readonly output: NodeJS.WritableStream = process.stderr) {}

  prompt(pending: PendingApproval): Promise<ApprovalAnswer> {
    const run = this.queue.then(() => this.askOne(pending));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async askOne(p: PendingApproval): Promise<ApprovalAnswer> {
    if (p.signal.aborted) return { decision: 'deny', reason: 'Settled before it was shown.' };
    const rl = createInterface({ input: this.input, output: this.output, terminal: false });
    try {
      const seconds = Math.max(0, Math.round((p.deadline - Date.now()) / 1000));
      const line = await rl.question(`\nApproval needed ${describePending(p)}\n  y = allow once, s = allow for this session, n <reason> = deny (${seconds} s): `, { signal: p.signal });
      return parseTerminalAnswer(line);
    } finally {
      rl.close();
    }
  }
}
