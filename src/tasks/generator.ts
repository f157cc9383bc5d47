/**
 * The task generator's contract with the model (seed 003's ChatGPT adapter, made strict): the JSON
 * Schema of a generated task, the prompt, the validation of the reply and the dry run's samples.
 * No I/O here. The schema is derived from the queue's own limits ({@link TASK_LIMITS},
 * {@link TASK_PRIORITIES}), so what the model is told, what we accept and what `TaskService.post`
 * accepts cannot drift apart. The same zod schema becomes the Structured Outputs JSON Schema
 * (`zodResponseFormat` of the `openai` package, which also refuses keywords strict mode cannot
 * represent) and validates the reply on our side, since another OpenAI-compatible server may ignore
 * `strict`.
 */
import { z } from 'zod';
import { zodResponseFormat } from 'openai/helpers/zod';
import { TASK_PRIORITIES } from './repository';
import { TASK_LIMITS } from './service';

/** How many tasks one run may ask for. */
export const GENERATE_LIMITS = { minCount: 1, maxCount: 50 } as const;
/** The `json_schema.name` the model sees. */
export const RESPONSE_FORMAT_NAME = 'generated_tasks';

/** One task as the model must write it (strict mode: every field present, null instead of absent). */
export interface GeneratedTask {
  description: string;
  /** YYYY-MM-DD or null (no deadline). */
  due_date: string | null;
  priority: (typeof TASK_PRIORITIES)[number];
  tags: string[];
}

const notBlank = (s: string): boolean => s.trim().length > 0;

/** The zod schema of one generated task, from the queue's limits. */
export function generatedTaskSchema() {
  return z.strictObject({
    description: z
      .string()
      .min(1, { error: 'is empty: say what the task is', abort: true })
      .max(TASK_LIMITS.description)
      .refine(notBlank, { error: 'is blank: say what the task is' })
      .describe('One self-contained, actionable instruction an agent can finish on its own, including how to tell it is done.'),
    due_date: z
      // zod's ISO date pattern checks month lengths and leap days, as isCalendarDate does.
      .iso.date({ error: 'must be a date written YYYY-MM-DD (e.g. 2026-12-31) or null' })
      .nullable()
      .describe('Deadline as YYYY-MM-DD, or null when there is none.'),
    priority: z.enum(TASK_PRIORITIES).describe('How urgent the task is.'),
    tags: z
      .array(z.string().min(1, { error: 'is empty', abort: true }).max(TASK_LIMITS.tag).refine(notBlank, { error: 'is blank' }))
      .max(TASK_LIMITS.tags)
      .describe('A few short lowercase words that group the task (e.g. docs, tests).'),
  });
}

/** The zod schema of a whole reply: `{tasks: [...]}` with exactly `count` tasks (a root must be an object). */
export function generatedReplySchema(count: number) {
  return z.strictObject({ tasks: z.array(generatedTaskSchema()).length(count) });
}

/**
 * The Chat Completions `response_format` for `count` tasks: `{type: "json_schema", json_schema:
 * {name, strict: true, schema}}` with every property required and `additionalProperties: false`.
 * @throws Error from the `openai` package when the schema uses a keyword strict mode cannot represent
 */
export function taskResponseFormat(count: number) {
  return zodResponseFormat(generatedReplySchema(count), RESPONSE_FORMAT_NAME);
}

export interface PromptOptions {
  count: number;
  /** What the tasks should be about (folded into the default user message). */
  topic?: string;
  /** The whole user message instead of the default one. */
  prompt?: string;
  /** "Today" for the model's due dates, YYYY-MM-DD. */
  today: string;
}

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

/** The system and user messages of the request. */
export function buildTaskPrompt(o: PromptOptions): ChatMessage[] {
  const system =
    `You write tasks for a shared queue that coding agents claim and work on. Reply with exactly ${o.count} ` +
    'task(s) as JSON matching the given schema. Each description is one self-contained, actionable instruction ' +
    'an agent can finish alone, and says how to tell it is done. Use priority critical only for what blocks ' +
    `others. due_date is YYYY-MM-DD or null when there is no deadline; today is ${o.today}. tags are a few ` +
    'short lowercase words. Do not repeat a task.';
  const user = o.prompt ?? `Propose ${o.count} task(s) ${o.topic ? `about: ${o.topic}` : 'for the agents working on this software project'}.`;
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}

/** One reason a reply was refused: `field` is a path such as `tasks[1].due_date`; `task` the 1-based task number, if any. */
export interface ReplyIssue {
  field: string;
  task: number | null;
  message: string;
}

/** The model's reply was not what the schema asks; nothing may be posted. */
export class GeneratedReplyError extends Error {
  constructor(readonly issues: ReplyIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'GeneratedReplyError';
  }
}

function formatIssue(i: ReplyIssue): string {
  return i.task === null ? `${i.field}: ${i.message}` : `task ${i.task} (${i.field}): ${i.message}`;
}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(reply)';
}

/** zod's issues as field paths; an unknown key is named itself, so the message points at it. */
function toIssues(error: z.ZodError): ReplyIssue[] {
  return error.issues.map((issue) => {
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? '?'] : issue.path;
    const task = path[0] === 'tasks' && typeof path[1] === 'number' ? path[1] + 1 : null;
    const message = issue.code === 'unrecognized_keys' ? `is not a field of a task (the fields are description, due_date, priority, tags)` : issue.message;
    return { field: pathText(path), task, message };
  });
}

/**
 * Parses and validates the model's reply text against the schema for `count` tasks.
 * @returns the tasks, in the model's order
 * @throws GeneratedReplyError naming every bad field (field `(reply)` when the text is not JSON)
 */
export function parseGeneratedReply(content: string, count: number): GeneratedTask[] {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (err) {
    const head = content.length > 120 ? `${content.slice(0, 120)}...` : content;
    throw new GeneratedReplyError([{ field: '(reply)', task: null, message: `is not JSON (${(err as Error).message}): ${JSON.stringify(head)}` }]);
  }
  const result = generatedReplySchema(count).safeParse(json);
  if (!result.success) throw new GeneratedReplyError(toIssues(result.error));
  return result.data.tasks;
}

const SAMPLES: ReadonlyArray<Omit<GeneratedTask, 'due_date'> & { dueInDays: number | null }> = [
  { description: 'Summarise the release notes of the last version in five bullet points for the changelog; done when CHANGELOG.md has them.', priority: 'medium', tags: ['docs', 'release'], dueInDays: 7 },
  { description: 'Add a unit test for the date parser covering leap days and invalid months; done when the test fails on the old parser and passes now.', priority: 'high', tags: ['tests'], dueInDays: 3 },
  { description: 'List every TODO comment in src/ with its file and line in docs/todo.md; done when the list is complete and sorted by file.', priority: 'low', tags: ['cleanup'], dueInDays: null },
  { description: 'Find why the nightly build is slower than last week and write the cause and a fix proposal in a discovery.', priority: 'critical', tags: ['ci', 'performance'], dueInDays: 1 },
  { description: 'Update the README quick start to the current CLI flags; done when every command in it runs as written.', priority: 'medium', tags: ['docs'], dueInDays: 14 },
];

/** YYYY-MM-DD of `ms` (UTC) plus `days`. */
export function isoDay(ms: number, days = 0): string {
  return new Date(ms + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * `count` illustrative tasks for the dry run, valid against the same schema; never posted.
 * Past the built-in examples they repeat with a number.
 */
export function sampleTasks(count: number, nowMs: number): GeneratedTask[] {
  return Array.from({ length: count }, (_, i) => {
    const s = SAMPLES[i % SAMPLES.length]!;
    const round = Math.floor(i / SAMPLES.length);
    return {
      description: round ? `${s.description} (sample ${i + 1})` : s.description,
      due_date: s.dueInDays === null ? null : isoDay(nowMs, s.dueInDays),
      priority: s.priority,
      tags: [...s.tags],
    };
  });
}
