/**
 * MCP prompts from the seed's Codex MCP server: `code-review` (code, language), `debug-helper`
 * (code, error_message) and `refactor-code` (code, goal). Each renders one user message ready to
 * send to the `codex` tool or any model.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const code = z.string().min(1).describe('The code to work on.');

function userMessage(description: string, text: string): GetPromptResult {
  return { description, messages: [{ role: 'user', content: { type: 'text', text } }] };
}

function fenced(source: string, language?: string): string {
  // A fence longer than any backtick run inside the code keeps it intact.
  const longest = Math.max(2, ...(source.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language ?? ''}\n${source}\n${fence}`;
}

/** The prompts' texts, exported for the CLI and tests. */
export const promptTexts = {
  codeReview: (a: { code: string; language?: string }) =>
    `Review this ${a.language ? `${a.language} ` : ''}code. List concrete problems (bugs, security issues, edge cases, readability), ` +
    `most important first, each with the line it concerns and a suggested fix. Say so if you find nothing worth changing.\n\n${fenced(a.code, a.language)}`,
  debugHelper: (a: { code: string; error_message?: string }) =>
    `Find the cause of ${a.error_message ? `this error:\n\n${fenced(a.error_message)}\n\nin ` : 'the bug in '}the code below. ` +
    `Explain the root cause, then give the smallest fix and how to verify it.\n\n${fenced(a.code)}`,
  refactorCode: (a: { code: string; goal?: string }) =>
    `Refactor the code below${a.goal ? ` for ${a.goal}` : ''} without changing its behaviour. ` +
    `Show the new code, then list each change and why it serves the goal.\n\n${fenced(a.code)}`,
};

/** Registers the three prompts on `server` (call before `connect`). */
export function registerPrompts(server: McpServer): void {
  server.registerPrompt(
    'code-review',
    { title: 'Code review', description: 'Review code for bugs, security issues and readability.', argsSchema: { code, language: z.string().optional().describe('Programming language, e.g. python.') } },
    (args) => userMessage('Code review', promptTexts.codeReview(args)),
  );
  server.registerPrompt(
    'debug-helper',
    { title: 'Debug helper', description: 'Find the root cause of an error and the smallest fix.', argsSchema: { code, error_message: z.string().optional().describe('The error or stack trace seen.') } },
    (args) => userMessage('Debug helper', promptTexts.debugHelper(args)),
  );
  server.registerPrompt(
    'refactor-code',
    { title: 'Refactor code', description: 'Refactor code towards a goal without changing behaviour.', argsSchema: { code, goal: z.string().optional().describe('e.g. performance optimization, readability.') } },
    (args) => userMessage('Refactor code', promptTexts.refactorCode(args)),
  );
}
