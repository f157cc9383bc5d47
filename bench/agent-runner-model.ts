/**
 * The fake model of bench/agent-runner.ts in its own thread, as a real model is: off the runner's
 * event loop. Answers every request with one call of the tool named in the `x-bench-tool` header,
 * after the `x-bench-latency-ms` header's milliseconds (0 when absent).
 * Posts `{ baseUrl }` once listening; closes on any message.
 */
import { parentPort } from 'node:worker_threads';
import { startFakeChatCompletions } from '../test/fakes/fake-chat-completions';

async function main(): Promise<void> {
  let i = 0;
  const fake = await startFakeChatCompletions({
    reply: async (r) => {
      const latency = Number(r.headers['x-bench-latency-ms'] ?? 0);
      if (latency > 0) await new Promise((done) => setTimeout(done, latency));
      return { content: null, toolCalls: [{ name: String(r.headers['x-bench-tool']), arguments: { i: i++ } }], usage: { prompt_tokens: 500, completion_tokens: 20 } };
    },
  });
  parentPort?.once('message', () => void fake.close().then(() => process.exit(0)));
  parentPort?.postMessage({ baseUrl: fake.baseUrl });
}

void main();
