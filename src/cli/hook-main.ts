/**
 * Entry of dist/hook.js, the Codex hook on its own (a few KB instead of the whole CLI: Node loads
 * it several times faster, and Codex starts it per tool call). Same behaviour as
 * `codex-governance hook` (./hook). Kept out of ./hook itself: a `require.main === module` block
 * there would also run inside dist/cli.js, where every module shares the bundle's `module`.
 */
import { runHookCommand } from './hook';

runHookCommand(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  // Exit once stdout has drained; a crash prints nothing (no decision: Codex decides alone).
  (code) => process.stdout.write('', () => process.exit(code)),
  (err: unknown) => {
    process.stderr.write(`codex-governance hook: ${err instanceof Error ? err.message : String(err)}; no decision, Codex decides.\n`);
    process.exit(0);
  },
);
