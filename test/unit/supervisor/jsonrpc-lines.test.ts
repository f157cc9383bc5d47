import assert from 'node:assert/strict';
import { JsonRpcLineClient, type JsonRpcNotification } from '../../../src/supervisor/jsonrpc-lines';
import { spawnGroup, type ChildHandle } from '../../../src/supervisor/process';

// A child that prints a line of noise, then a notification, then echoes each request's params back.
const PEER = `
process.stdout.write('not json\\n\\n' + JSON.stringify({ method: 'hello', params: { n: 1 } }) + '\\n');
require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => {
  const m = JSON.parse(l);
  if (m.id !== undefined) process.stdout.write(JSON.stringify({ id: m.id, result: m.params }) + '\\n');
});
`;

describe('JSON-RPC lines client', () => {
  let child: ChildHandle | undefined;
  afterEach(async () => {
    await child?.kill(200);
  });

  it('reports a non-JSON stdout line to onUnparsedLine and keeps reading the messages after it', async () => {
    child = await spawnGroup(process.execPath, ['-e', PEER], { env: process.env });
    const rpc = new JsonRpcLineClient(child);
    const unparsed: string[] = [];
    rpc.onUnparsedLine = (line) => unparsed.push(line);
    const hello = new Promise<JsonRpcNotification>((resolve) => (rpc.onNotification = resolve));
    assert.deepEqual(await hello, { method: 'hello', params: { n: 1 } });
    assert.deepEqual(await rpc.request('echo', { x: 2 }, 5000), { x: 2 });
    assert.deepEqual(unparsed, ['not json']);
  });

  it('keeps answering when the onUnparsedLine listener throws', async () => {
    child = await spawnGroup(process.execPath, ['-e', PEER], { env: process.env });
    const rpc = new JsonRpcLineClient(child);
    rpc.onUnparsedLine = () => {
      throw new Error('listener bug');
    };
    assert.deepEqual(await rpc.request('echo', { y: 3 }, 5000), { y: 3 });
  });
});
