/**
 * Entry of the separate bundle dist/bridge.js that Codex starts (`[mcp_servers.codex-governance]
 * command/args`): the bridge alone, without the rest of the CLI, so it answers Codex quickly.
 */
import { runBridgeCommand } from './bridge';

runBridgeCommand(process.argv.slice(2), { stderr: process.stderr, env: process.env }).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`codex-governance bridge: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
