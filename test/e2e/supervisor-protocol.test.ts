/**
 * The hand-written app-server protocol subset (src/supervisor/app-server-protocol.ts) checked
 * against the JSON Schema each installed app-server Codex (0.169.0 and the current one) generates
 * (`codex app-server generate-json-schema --out DIR`), so a protocol change in a new Codex fails
 * here first.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { codexMatrix } from '../fakes/codex-processes';
import * as P from '../../src/supervisor/app-server-protocol';

type Schema = { oneOf?: Schema[]; enum?: string[]; properties?: Record<string, Schema>; required?: string[]; definitions?: Record<string, Schema> };

for (const codex of codexMatrix().filter((c) => c.backend === 'app-server')) describe(`app-server protocol subset vs the schema Codex ${codex.version} generates`, function () {
  this.timeout(60_000);
  let dir: string;
  const read = async (rel: string): Promise<Schema> => JSON.parse(await readFile(join(dir, rel), 'utf8')) as Schema;
  const methods = (s: Schema) => (s.oneOf ?? []).flatMap((v) => v.properties?.method?.enum ?? []);
  /** Every string constant of a `oneOf` of enums / objects (decision unions). */
  const enumValues = (s: Schema | undefined) => (s?.oneOf ?? []).flatMap((v) => v.enum ?? []);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'codex-schema-'));
    await promisify(execFile)(codex.path, ['app-server', 'generate-json-schema', '--out', dir], { timeout: 30_000 });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('knows every method we send and answer', async () => {
    const client = methods(await read('ClientRequest.json'));
    for (const m of P.CLIENT_REQUESTS) assert.ok(client.includes(m), `client request ${m}`);
    const clientNotes = methods(await read('ClientNotification.json'));
    for (const m of P.CLIENT_NOTIFICATIONS) assert.ok(clientNotes.includes(m), `client notification ${m}`);
    const server = methods(await read('ServerNotification.json'));
    for (const m of P.SERVER_NOTIFICATIONS) assert.ok(server.includes(m), `server notification ${m}`);
    const requests = methods(await read('ServerRequest.json'));
    for (const m of P.SERVER_REQUESTS) assert.ok(requests.includes(m), `server request ${m}`);
  });

  it('has the fields we set and read', async () => {
    const start = await read('v2/ThreadStartParams.json');
    for (const f of P.THREAD_START_FIELDS) assert.ok(start.properties?.[f], `ThreadStartParams.${f}`);
    assert.deepEqual(start.definitions?.SandboxMode?.enum, ['read-only', 'workspace-write', 'danger-full-access']);
    assert.deepEqual([...(await read('v2/TurnStartParams.json')).required!].sort(), [...P.TURN_START_REQUIRED].sort());
    assert.deepEqual([...(await read('v2/TurnInterruptParams.json')).required!].sort(), [...P.TURN_INTERRUPT_REQUIRED].sort());
    assert.deepEqual((await read('v2/ThreadResumeParams.json')).required, [...P.THREAD_RESUME_REQUIRED]);
    const completed = await read('v2/TurnCompletedNotification.json');
    assert.deepEqual(completed.definitions?.TurnStatus?.enum, [...P.TURN_STATUSES]);
    const usage = await read('v2/ThreadTokenUsageUpdatedNotification.json');
    assert.deepEqual([...usage.definitions!.TokenUsageBreakdown!.required!].sort(), [...P.TOKEN_USAGE_FIELDS].sort());
  });

  it('has the thread item fields we read', async () => {
    const items = (await read('v2/ItemCompletedNotification.json')).definitions?.ThreadItem?.oneOf ?? [];
    for (const [type, fields] of Object.entries(P.THREAD_ITEM_FIELDS)) {
      const item = items.find((v) => v.properties?.type?.enum?.[0] === type);
      assert.ok(item, `ThreadItem ${type}`);
      for (const f of fields) assert.ok(item.properties?.[f], `ThreadItem ${type}.${f}`);
    }
    const agent = items.find((v) => v.properties?.type?.enum?.[0] === 'agentMessage');
    assert.deepEqual(agent?.required?.filter((f) => f === 'text'), ['text'], 'an agentMessage always has its text');
  });

  it('accepts the decisions we answer approvals with', async () => {
    const cmd = await read('CommandExecutionRequestApprovalResponse.json');
    const file = await read('FileChangeRequestApprovalResponse.json');
    for (const d of P.V2_DECISIONS) {
      assert.ok(enumValues(cmd.definitions?.CommandExecutionApprovalDecision).includes(d), `command decision ${d}`);
      assert.ok(enumValues(file.definitions?.FileChangeApprovalDecision).includes(d), `file decision ${d}`);
    }
    const v1 = await read('ExecCommandApprovalResponse.json');
    for (const d of P.V1_DECISIONS) assert.ok(enumValues(v1.definitions?.ReviewDecision).includes(d), `v1 decision ${d}`);
    const denied = v1.definitions?.ReviewDecision?.oneOf?.find((v) => v.properties?.denied);
    assert.deepEqual(denied?.properties?.denied?.required, ['rejection'], 'v1 denial is {denied:{rejection}}');
    const perms = await read('PermissionsRequestApprovalResponse.json');
    assert.deepEqual(perms.required, ['permissions']);
    assert.deepEqual(perms.definitions?.PermissionGrantScope?.enum, ['turn', 'session']);
    const elicit = await read('McpServerElicitationRequestResponse.json');
    assert.deepEqual(elicit.definitions?.McpServerElicitationAction?.enum, ['accept', 'decline', 'cancel']);
  });
});
