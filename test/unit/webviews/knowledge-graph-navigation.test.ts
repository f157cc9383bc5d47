import assert from 'node:assert/strict';
import { canvasKey, listKey, nodeLabel, PAGE_STEP, type NavContext } from '../../../src/webviews/knowledge-graph/navigation';

/** a - b, a - c (discoveries), agent:x authored a, b and c; d stands alone. */
function context(order = ['a', 'b', 'c', 'd']): NavContext {
  const links: Record<string, string[]> = { a: ['b', 'c', 'agent:x'], b: ['a', 'agent:x'], c: ['a', 'agent:x'], d: [], 'agent:x': ['a', 'b', 'c'] };
  return { order, neighbours: (id) => links[id] ?? [], isDiscovery: (id) => !id.startsWith('agent:') };
}

describe('knowledge graph keyboard navigation', function () {
  const ctx = context();

  describe('result list', function () {
    it('ArrowDown from nothing selects the first result, then moves one at a time and stops at the last', function () {
      let state = listKey({}, 'ArrowDown', ctx).state;
      assert.equal(state.active, 'a');
      state = listKey(state, 'ArrowDown', ctx).state;
      state = listKey(state, 'ArrowDown', ctx).state;
      assert.equal(state.active, 'c');
      state = listKey(listKey(state, 'ArrowDown', ctx).state, 'ArrowDown', ctx).state;
      assert.equal(state.active, 'd');
    });

    it('ArrowUp stops at the first; Home, End, PageUp and PageDown jump and clamp', function () {
      assert.equal(listKey({ active: 'a' }, 'ArrowUp', ctx).state.active, 'a');
      assert.equal(listKey({ active: 'c' }, 'ArrowUp', ctx).state.active, 'b');
      assert.equal(listKey({}, 'ArrowUp', ctx).state.active, 'a');
      assert.equal(listKey({ active: 'b' }, 'End', ctx).state.active, 'd');
      assert.equal(listKey({ active: 'c' }, 'Home', ctx).state.active, 'a');
      const long = context(Array.from({ length: 25 }, (_, i) => `n${i}`));
      assert.equal(listKey({ active: 'n3' }, 'PageDown', long).state.active, `n${3 + PAGE_STEP}`);
      assert.equal(listKey({ active: 'n20' }, 'PageDown', long).state.active, 'n24');
      assert.equal(listKey({ active: 'n3' }, 'PageUp', long).state.active, 'n0');
    });

    it('a selection that left the list (a new search) starts again from the top', function () {
      assert.equal(listKey({ active: 'gone' }, 'ArrowDown', ctx).state.active, 'a');
    });

    it('Enter and Space open the active discovery; Enter with nothing active opens nothing', function () {
      assert.deepEqual(listKey({ active: 'b' }, 'Enter', ctx), { state: { active: 'b' }, open: 'b', handled: true });
      assert.equal(listKey({ active: 'b' }, ' ', ctx).open, 'b');
      assert.equal(listKey({}, 'Enter', ctx).open, undefined);
    });

    it('Escape clears the selection; other keys are left to the browser', function () {
      assert.deepEqual(listKey({ active: 'b' }, 'Escape', ctx), { state: {}, handled: true });
      assert.equal(listKey({}, 'Escape', ctx).handled, false);
      assert.deepEqual(listKey({ active: 'b' }, 'Tab', ctx), { state: { active: 'b' }, handled: false });
      assert.equal(listKey({ active: 'b' }, 'x', ctx).handled, false);
    });

    it('an empty list selects nothing', function () {
      const empty = context([]);
      assert.deepEqual(listKey({}, 'ArrowDown', empty), { state: {}, handled: true });
      assert.deepEqual(listKey({}, 'End', empty), { state: {}, handled: true });
    });
  });

  describe('canvas', function () {
    it('Right and Left walk round the hub\'s neighbours, wrapping, with the hub kept', function () {
      let r = canvasKey({ active: 'a' }, 'ArrowRight', ctx);
      assert.deepEqual(r.state, { active: 'b', hub: 'a' });
      r = canvasKey(r.state, 'ArrowRight', ctx);
      assert.deepEqual(r.state, { active: 'c', hub: 'a' });
      r = canvasKey(r.state, 'ArrowRight', ctx);
      assert.deepEqual(r.state, { active: 'agent:x', hub: 'a' });
      r = canvasKey(r.state, 'ArrowRight', ctx);
      assert.deepEqual(r.state, { active: 'b', hub: 'a' });
      assert.deepEqual(canvasKey({ active: 'a' }, 'ArrowLeft', ctx).state, { active: 'agent:x', hub: 'a' });
      assert.deepEqual(canvasKey({ active: 'b', hub: 'a' }, 'ArrowLeft', ctx).state, { active: 'agent:x', hub: 'a' });
    });

    it('Enter opens the discovery reached and makes it the hub; on an agent it only moves the hub', function () {
      const r = canvasKey({ active: 'c', hub: 'a' }, 'Enter', ctx);
      assert.deepEqual(r, { state: { active: 'c' }, open: 'c', handled: true });
      assert.deepEqual(canvasKey(r.state, 'ArrowRight', ctx).state, { active: 'a', hub: 'c' });
      const agent = canvasKey({ active: 'agent:x', hub: 'a' }, 'Enter', ctx);
      assert.deepEqual(agent, { state: { active: 'agent:x' }, handled: true });
      assert.deepEqual(canvasKey(agent.state, 'ArrowRight', ctx).state, { active: 'a', hub: 'agent:x' });
    });

    it('Up and Down follow the list order and drop the hub', function () {
      assert.deepEqual(canvasKey({ active: 'agent:x', hub: 'a' }, 'ArrowDown', ctx).state, { active: 'a' });
      assert.deepEqual(canvasKey({ active: 'b', hub: 'a' }, 'ArrowDown', ctx).state, { active: 'c' });
      assert.deepEqual(canvasKey({ active: 'b', hub: 'a' }, 'ArrowUp', ctx).state, { active: 'a' });
    });

    it('Right with nothing selected starts at the first result; a node without links stays put', function () {
      assert.deepEqual(canvasKey({}, 'ArrowRight', ctx).state, { active: 'a' });
      assert.deepEqual(canvasKey({ active: 'd' }, 'ArrowRight', ctx), { state: { active: 'd' }, handled: true });
    });

    it('Escape clears; Enter with nothing selected and other keys are left to the browser', function () {
      assert.deepEqual(canvasKey({ active: 'b', hub: 'a' }, 'Escape', ctx), { state: {}, handled: true });
      assert.equal(canvasKey({}, 'Enter', ctx).handled, false);
      assert.equal(canvasKey({ active: 'a' }, 'Tab', ctx).handled, false);
    });
  });

  describe('labels', function () {
    it('a discovery says its summary, type, status, agent and any severity', function () {
      assert.equal(
        nodeLabel({ id: 'd1', kind: 'discovery', label: 'Cache races', discoveryType: 'bug_found', status: 'open', agentId: 'alice', severity: 'high' }),
        'Cache races, type bug_found, status open, agent alice, severity high',
      );
      assert.equal(nodeLabel({ id: 'd2', kind: 'discovery', label: 'Note', discoveryType: 'insight', status: 'resolved', agentId: 'bob', severity: null }), 'Note, type insight, status resolved, agent bob');
      assert.equal(nodeLabel({ id: 'd3', kind: 'discovery', label: 'Bare' }), 'Bare, type unknown, status unknown, agent unknown');
    });

    it('an agent says its id and how many of its discoveries are shown', function () {
      assert.equal(nodeLabel({ id: 'agent:alice', kind: 'agent', label: 'alice', agentId: 'alice' }, 3), 'agent alice, 3 discoveries shown');
      assert.equal(nodeLabel({ id: 'agent:bob', kind: 'agent', label: 'bob', agentId: 'bob' }, 1), 'agent bob, 1 discovery shown');
    });
  });
});
