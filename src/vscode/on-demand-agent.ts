/**
 * The governed agent runner (the `openai` SDK and the OpenAI Agents SDK), a third bundle,
 * dist/agent-run.js, loaded the first time a run starts: it is a quarter of the on-demand code, and
 * parsing it on the first server start cost that start about as much as the server itself. Load it
 * with {@link loadAgentRun} from ./load-on-demand.
 */
export { startAgentRun } from './agent-run/start-run';
