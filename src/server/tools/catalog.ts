/**
 * Every tool's types, from its one declaration (./governance-tools, ./knowledge-tools,
 * ./observability-tools, ./codex-tools): clients import these as types only (no runtime code, so the extension bundle
 * stays free of the server), and a wrong tool name or argument is a compile error.
 *
 *     const r = await client.callTool('observe_agent', { agent_id: 'a' }); // r: ToolOutput<'observe_agent'>
 */
import type { z } from 'zod';
import type { codexTools } from './codex-tools';
import type { dialecticTools } from './dialectic-tools';
import type { governanceTools } from './governance-tools';
import type { knowledgeTools } from './knowledge-tools';
import type { observabilityTools } from './observability-tools';
import type { taskTools } from './task-tools';
import type { agentTools } from './agent-tools';
import type { observedTools } from './observed-tools';
import type { ToolSpec } from './types';

type AnyDeclared =
  | ReturnType<typeof governanceTools>[number]
  | ReturnType<typeof knowledgeTools>[number]
  | ReturnType<typeof observabilityTools>[number]
  | ReturnType<typeof codexTools>[number]
  | ReturnType<typeof dialecticTools>[number]
  | ReturnType<typeof taskTools>[number]
  | ReturnType<typeof agentTools>[number]
  | ReturnType<typeof observedTools>[number];

/** Every tool name the server serves. */
export type ToolName = AnyDeclared['name'];

type Declared<N extends ToolName> = Extract<AnyDeclared, { name: N }>;

/** The arguments a caller passes (zod input: defaults may be left out). */
export type ToolArgs<N extends ToolName> = Declared<N> extends ToolSpec<N, infer Shape, object> ? z.input<z.ZodObject<Shape>> : never;

/** What the tool answers (the structured result). */
export type ToolOutput<N extends ToolName> = Declared<N> extends ToolSpec<N, z.ZodRawShape, infer Result> ? Result : never;
