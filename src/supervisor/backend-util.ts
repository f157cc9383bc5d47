/** Small helpers both backends share. */
import type { ApprovalAnswer } from '../approvals/vocabulary';
import type { ChildHooks } from './backend';
import type { ChildHandle } from './process';

/** A command for display: argv lists joined with spaces (`bash -lc` wrappers unwrapped), strings as is. */
export function describeCommand(command: unknown): string | undefined {
  if (typeof command === 'string') return command;
  if (Array.isArray(command) && command.every((c) => typeof c === 'string')) {
    const argv = command;
    // Codex runs model commands as [shell, -lc, script]; the script is what a person needs to see.
    if (argv.length === 3 && (argv[1] === '-lc' || argv[1] === '-c')) return argv[2];
    return argv.join(' ');
  }
  return undefined;
}

/** Asks the hooks' approver, turning a throw into a denial (fail closed). */
export async function askBrokerless(hooks: ChildHooks, req: Parameters<ChildHooks['approve']>[0], signal: AbortSignal): Promise<ApprovalAnswer> {
  try {
    return await hooks.approve(req, signal);
  } catch (err) {
    return { decision: 'deny', reason: `Approval failed (${err instanceof Error ? err.message : String(err)}): denied (fail closed)` };
  }
}

/** What every Codex child reports about its process, taken from the process group it runs in. */
export abstract class ProcessBackedChild {
  constructor(protected readonly proc: ChildHandle) {}

  get pid(): number {
    return this.proc.pid;
  }
  get exited(): ChildHandle['exited'] {
    return this.proc.exited;
  }
  alive(): boolean {
    return this.proc.alive();
  }
  stderrTail(): string {
    return this.proc.stderrTail();
  }
}
