import assert from 'node:assert/strict';
import { InProcessGovernanceClient } from '../../../../src/client/in-process';
import { leaseLeft, loadTasks, taskIdOf, TASK_CONTEXT } from '../../../../src/vscode/views/tasks-model';
import type { ViewNode } from '../../../../src/vscode/views/node';
import { startTestServer, type TestServer } from '../../../helpers/governance-server';

describe('views: Tasks model', function () {
  let srv: TestServer;
  let client: InProcessGovernanceClient;
  const noRuns = { runOf: () => undefined };
  const group = (nodes: ViewNode[], label: string) => nodes.find((n) => n.label === label)!;

  beforeEach(async () => {
    srv = await startTestServer();
    client = new InProcessGovernanceClient(srv.url, srv.server.app);
  });
  afterEach(async () => {
    client.dispose();
    await srv.stop();
  });

  it('shows nothing without a server or with an empty queue (the welcome content explains)', async () => {
    assert.deepEqual(await loadTasks(undefined, noRuns), { nodes: [] });
    assert.deepEqual(await loadTasks(client, noRuns), { nodes: [] });
  });

  it('groups the queue by status: open, claimed (by whom, lease left), done, failed; counts in the groups and the title', async () => {
    const now = Date.now();
    await client.callTool('post_task', { task_id: 'T_OPEN', description: 'Write the *release* notes\nwith details', priority: 'high', tags: ['docs', 'release'], due_date: '2030-01-31', agent_id: 'poster' });
    await client.callTool('post_task', { task_id: 'T_CLAIMED', description: 'Fix the flaky test', agent_id: 'poster' });
    await client.callTool('post_task', { task_id: 'T_DONE', description: 'Bump the version', agent_id: 'poster' });
    await client.callTool('post_task', { task_id: 'T_FAILED', description: 'Migrate the database', agent_id: 'poster' });
    await client.callTool('claim_task', { task_id: 'T_CLAIMED', agent_id: 'worker-1', lease_seconds: 300 });
    await client.callTool('claim_task', { task_id: 'T_DONE', agent_id: 'worker-2' });
    await client.callTool('complete_task', { task_id: 'T_DONE', agent_id: 'worker-2', result: 'Bumped to 1.2.0' });
    await client.callTool('claim_task', { task_id: 'T_FAILED', agent_id: 'worker-3' });
    await client.callTool('fail_task', { task_id: 'T_FAILED', agent_id: 'worker-3', reason: 'No access to the database' });
    await client.callTool('claim_task', { task_id: 'T_CLAIMED', agent_id: 'worker-1', lease_seconds: 300, renew: true });
    const content = await loadTasks(client, { runOf: (id) => (id === 'T_DONE' ? 'done' : undefined) }, now);
    assert.equal(content.description, '1 open, 1 claimed');
    assert.deepEqual(content.nodes.map((n) => `${n.label} ${n.description}`), ['Open 1', 'Claimed 1', 'Done 1', 'Failed 1']);
    assert.ok(content.nodes.every((n) => n.expanded === true));
    const open = group(content.nodes, 'Open').children![0]!;
    assert.equal(open.id, 'task:T_OPEN');
    assert.equal(open.label, 'Write the *release* notes with details');
    assert.equal(open.description, 'high · due 2030-01-31');
    assert.equal(open.contextValue, `${TASK_CONTEXT}.pending`);
    assert.match(open.tooltip!, /Tags: docs, release/);
    assert.match(open.tooltip!, /Write the \\\*release\\\* notes/, 'task text is escaped in the markdown tooltip');
    const claimed = group(content.nodes, 'Claimed').children![0]!;
    assert.match(claimed.description!, /^by worker-1 · lease [45] min left$/);
    assert.equal(claimed.contextValue, `${TASK_CONTEXT}.claimed`);
    const done = group(content.nodes, 'Done').children![0]!;
    assert.equal(done.description, 'done by worker-2 · run done');
    assert.equal(done.contextValue, `${TASK_CONTEXT}.completed.run`);
    assert.match(done.tooltip!, /Result: Bumped to 1\\\.2\\\.0/);
    const failed = group(content.nodes, 'Failed').children![0]!;
    assert.match(failed.tooltip!, /Reason: No access to the database/);
    assert.equal(failed.icon?.id, 'error');
  });

  it('marks a task the person claimed in VS Code as theirs (Run hands it over)', async () => {
    await client.callTool('post_task', { task_id: 'T_MINE', description: 'Review the PR', agent_id: 'poster' });
    await client.callTool('claim_task', { task_id: 'T_MINE', agent_id: 'vscode-user' });
    const claimed = group((await loadTasks(client, noRuns)).nodes, 'Claimed').children![0]!;
    assert.equal(claimed.contextValue, `${TASK_CONTEXT}.claimed.mine`);
  });

  it('names the failure when the server cannot list the queue', async () => {
    await srv.stop();
    const content = await loadTasks(client, noRuns);
    assert.equal(content.nodes.length, 1);
    assert.match(content.nodes[0]!.label, /Could not load tasks/);
    srv = await startTestServer();
  });

  it('reads task ids from rows and strings; lease time left in words', () => {
    assert.equal(taskIdOf({ id: 'task:T_1', label: 'x' }), 'T_1');
    assert.equal(taskIdOf('T_2'), 'T_2');
    assert.equal(taskIdOf({ id: 'tasks-group:pending', label: 'Open' }), undefined);
    assert.equal(taskIdOf(undefined), undefined);
    const now = Date.parse('2030-01-01T00:00:00Z');
    assert.equal(leaseLeft('2030-01-01T00:00:30Z', now), 'lease 30 s left');
    assert.equal(leaseLeft('2030-01-01T00:10:00Z', now), 'lease 10 min left');
    assert.equal(leaseLeft('2030-01-01T02:30:00Z', now), 'lease 2.5 h left');
    assert.equal(leaseLeft('2029-12-31T23:00:00Z', now), 'lease ended');
  });
});
