import assert from 'node:assert/strict';
import { z } from 'zod';
import { TASK_PRIORITIES } from '../../../src/tasks/repository';
import { isCalendarDate, TASK_LIMITS } from '../../../src/tasks/service';
import { buildTaskPrompt, GeneratedReplyError, generatedTaskSchema, parseGeneratedReply, sampleTasks, taskResponseFormat, type GeneratedTask } from '../../../src/tasks/generator';

type Schema = Record<string, any>;

/** Every object schema in `s`, depth first. */
function objectSchemas(s: Schema): Schema[] {
  const out: Schema[] = [];
  const visit = (n: unknown) => {
    if (!n || typeof n !== 'object') return;
    const node = n as Schema;
    if (node.type === 'object') out.push(node);
    for (const v of Object.values(node)) {
      if (Array.isArray(v)) v.forEach(visit);
      else visit(v);
    }
  };
  visit(s);
  return out;
}

function rejection(content: string, count: number): GeneratedReplyError {
  try {
    parseGeneratedReply(content, count);
  } catch (err) {
    assert.ok(err instanceof GeneratedReplyError, `a GeneratedReplyError, got ${String(err)}`);
    return err;
  }
  assert.fail('the reply was accepted');
}

const valid = (n: number): GeneratedTask[] => sampleTasks(n, Date.UTC(2026, 10, 20));

describe('task generator: schema, prompt and reply validation', () => {
  it('the response_format is strict Structured Outputs: every field required, none extra, null instead of absent', () => {
    const rf = taskResponseFormat(3);
    assert.equal(rf.type, 'json_schema');
    assert.equal(rf.json_schema.strict, true);
    assert.equal(rf.json_schema.name, 'generated_tasks');
    const schema = rf.json_schema.schema as Schema;
    assert.equal(schema.type, 'object', 'the root is an object');
    const objects = objectSchemas(schema);
    assert.equal(objects.length, 2, 'the reply and the task');
    for (const o of objects) {
      assert.equal(o.additionalProperties, false);
      assert.deepEqual([...(o.required as string[])].sort(), Object.keys(o.properties as object).sort());
    }
    const tasks = schema.properties.tasks as Schema;
    assert.deepEqual([tasks.minItems, tasks.maxItems], [3, 3]);
    const dueTypes = (tasks.items.properties.due_date.anyOf as Schema[]).map((s) => s.type);
    assert.deepEqual(dueTypes.sort(), ['null', 'string']);
  });

  it('takes its limits from the task queue (TASK_LIMITS, TASK_PRIORITIES)', () => {
    const task = (taskResponseFormat(1).json_schema.schema as Schema).properties.tasks.items as Schema;
    assert.deepEqual(Object.keys(task.properties as object).sort(), ['description', 'due_date', 'priority', 'tags']);
    assert.equal(task.properties.description.maxLength, TASK_LIMITS.description);
    assert.deepEqual(task.properties.priority.enum, [...TASK_PRIORITIES]);
    assert.equal(task.properties.tags.maxItems, TASK_LIMITS.tags);
    assert.equal(task.properties.tags.items.maxLength, TASK_LIMITS.tag);
    assert.equal(task.properties.due_date.anyOf.find((s: Schema) => s.type === 'string').format, 'date');
  });

  it("zod's ISO date agrees with the queue's isCalendarDate (leap days, month lengths)", () => {
    const date = z.iso.date();
    const mismatches: string[] = [];
    for (const y of [1900, 2000, 2024, 2026, 2100]) {
      for (let m = 0; m <= 13; m++) {
        for (let d = 0; d <= 32; d++) {
          const s = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          if (date.safeParse(s).success !== isCalendarDate(s)) mismatches.push(s);
        }
      }
    }
    assert.deepEqual(mismatches, []);
    assert.equal(generatedTaskSchema().shape.due_date.safeParse('2024-02-29').success, true);
    assert.equal(generatedTaskSchema().shape.due_date.safeParse('2026-02-29').success, false);
  });

  it('accepts a reply with exactly the asked number of valid tasks, in order', () => {
    const tasks = valid(3);
    assert.deepEqual(parseGeneratedReply(JSON.stringify({ tasks }), 3), tasks);
    const noDate = [{ description: 'Do it', due_date: null, priority: 'low', tags: [] }];
    assert.deepEqual(parseGeneratedReply(JSON.stringify({ tasks: noDate }), 1), noDate);
  });

  it('names the task (1-based) and the field of every bad value', () => {
    const tasks: unknown[] = valid(3);
    tasks[1] = { ...valid(3)[1], due_date: '12/31/2026' };
    tasks[2] = { ...valid(3)[2], priority: 'urgent', tags: ['ok', ' '] };
    const err = rejection(JSON.stringify({ tasks }), 3);
    assert.deepEqual(
      err.issues.map((i) => [i.task, i.field]),
      [
        [2, 'tasks[1].due_date'],
        [3, 'tasks[2].priority'],
        [3, 'tasks[2].tags[1]'],
      ],
    );
    assert.match(err.message, /^task 2 \(tasks\[1\]\.due_date\): must be a date written YYYY-MM-DD/m);
    assert.match(err.message, /task 3 \(tasks\[2\]\.priority\): .*"low"\|"medium"\|"high"\|"critical"/);
    assert.match(err.message, /task 3 \(tasks\[2\]\.tags\[1\]\): is blank/);
  });

  it('refuses missing and unknown fields, blank and over-long text, too many tags', () => {
    const [base] = valid(1);
    const cases: Array<[unknown, string, RegExp]> = [
      [{ due_date: null, priority: 'low', tags: [] }, 'tasks[0].description', /string/],
      [{ ...base, description: '   ' }, 'tasks[0].description', /is blank/],
      [{ ...base, description: 'x'.repeat(TASK_LIMITS.description + 1) }, 'tasks[0].description', /10000/],
      [{ ...base, owner: 'me' }, 'tasks[0].owner', /is not a field of a task/],
      [{ ...base, tags: Array.from({ length: TASK_LIMITS.tags + 1 }, (_, i) => `t${i}`) }, 'tasks[0].tags', /20/],
      [{ ...base, tags: ['x'.repeat(TASK_LIMITS.tag + 1)] }, 'tasks[0].tags[0]', /64/],
      [{ ...base, due_date: '2026-02-30' }, 'tasks[0].due_date', /YYYY-MM-DD/],
    ];
    for (const [task, field, message] of cases) {
      const err = rejection(JSON.stringify({ tasks: [task] }), 1);
      assert.equal(err.issues[0]!.field, field, JSON.stringify(task).slice(0, 80));
      assert.equal(err.issues[0]!.task, 1);
      assert.match(err.issues[0]!.message, message);
    }
  });

  it('refuses a reply that is not JSON, has the wrong shape or the wrong number of tasks', () => {
    const notJson = rejection('Sure! Here are your tasks: {"tasks": [', 2);
    assert.deepEqual([notJson.issues[0]!.field, notJson.issues[0]!.task], ['(reply)', null]);
    assert.match(notJson.message, /is not JSON .*Sure! Here are your tasks/);
    assert.equal(rejection('[]', 1).issues[0]!.field, '(reply)');
    const few = rejection(JSON.stringify({ tasks: valid(2) }), 3);
    assert.equal(few.issues[0]!.field, 'tasks');
    assert.match(few.message, /exactly 3/);
    assert.equal(rejection(JSON.stringify({ tasks: valid(4) }), 3).issues[0]!.field, 'tasks');
    assert.equal(rejection(JSON.stringify({ tasks: valid(1), extra: 1 }), 1).issues[0]!.field, 'extra');
  });

  it('the prompt asks for exactly N tasks, names today, and takes a topic or a whole user message', () => {
    const [system, user] = buildTaskPrompt({ count: 4, today: '2026-11-20', topic: 'the release checklist' });
    assert.equal(system!.role, 'system');
    assert.match(system!.content, /exactly 4 task/);
    assert.match(system!.content, /today is 2026-11-20/);
    assert.equal(user!.role, 'user');
    assert.match(user!.content, /4 task\(s\) about: the release checklist/);
    const custom = buildTaskPrompt({ count: 1, today: '2026-11-20', prompt: 'One task: fix the flaky test.' });
    assert.equal(custom[1]!.content, 'One task: fix the flaky test.');
  });

  it('dry-run samples are valid against the same schema for every count 1..50, and distinct', () => {
    for (let n = 1; n <= 50; n++) {
      const samples = sampleTasks(n, Date.UTC(2026, 10, 20));
      assert.equal(parseGeneratedReply(JSON.stringify({ tasks: samples }), n).length, n);
      assert.equal(new Set(samples.map((s) => s.description)).size, n);
    }
    assert.equal(sampleTasks(1, Date.UTC(2026, 10, 20))[0]!.due_date, '2026-11-27', 'due dates count from now');
  });
});
