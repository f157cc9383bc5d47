import assert from 'node:assert/strict';
import { PanelSet, SINGLE, type PanelContext, type PanelHandler, type PanelKind, type PanelView } from '../../../src/vscode/panels/panel-set';
import { RenderWaiter } from '../../../src/vscode/panels/render-waiter';

/** A WebviewPanel stand-in: records what the kit does to it, and lets the test play the page. */
class FakeView implements PanelView {
  readonly posted: unknown[] = [];
  loads = 0;
  reveals = 0;
  title = '';
  disposed = false;
  private readonly messageListeners = new Set<(raw: unknown) => void>();
  private readonly disposeListeners = new Set<() => void>();

  reveal(): void {
    this.reveals++;
  }
  load(): void {
    this.loads++;
  }
  post(message: unknown): void {
    this.posted.push(message);
  }
  setTitle(title: string): void {
    this.title = title;
  }
  onMessage(listener: (raw: unknown) => void) {
    this.messageListeners.add(listener);
    return { dispose: () => void this.messageListeners.delete(listener) };
  }
  onDidDispose(listener: () => void) {
    this.disposeListeners.add(listener);
    return { dispose: () => void this.disposeListeners.delete(listener) };
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const l of [...this.disposeListeners]) l();
  }
  /** The page posts a message. */
  send(raw: unknown): void {
    for (const l of [...this.messageListeners]) l(raw);
  }
  get listeners(): number {
    return this.messageListeners.size;
  }
}

/** A handler whose page "draws" when the test says so. */
class FakeHandler implements PanelHandler {
  readonly handled: unknown[] = [];
  readonly applied: unknown[] = [];
  disposed = false;
  private readonly renders = new RenderWaiter<{ n: number }>();
  private last: { n: number } | undefined;

  constructor(readonly context: PanelContext<string>) {}

  handle(raw: unknown): Promise<void> {
    this.handled.push(raw);
    if ((raw as { type?: string }).type === 'boom') return Promise.reject(new Error('handler failed'));
    return Promise.resolve();
  }
  apply(args: unknown): void {
    if ((args as { bad?: boolean }).bad) throw new Error('bad argument: bad');
    this.applied.push(args);
  }
  nextRender(timeoutMs: number): Promise<{ n: number }> {
    return this.renders.next('Fake', timeoutMs);
  }
  lastRender(): { n: number } | undefined {
    return this.last;
  }
  drew(n: number): void {
    this.last = { n };
    this.renders.resolve(this.last);
  }
  dispose(): void {
    this.disposed = true;
    this.renders.dispose();
  }
}

function kit(kind: Partial<PanelKind<string, FakeHandler>> = {}) {
  const views: FakeView[] = [];
  const errors: unknown[] = [];
  const handlers: FakeHandler[] = [];
  const set = new PanelSet<string, FakeHandler>(
    {
      name: 'Fake',
      createHandler: (context) => {
        const h = new FakeHandler(context);
        handlers.push(h);
        return h;
      },
      reportError: (err) => errors.push(err),
      ...kind,
    },
    () => {
      const v = new FakeView();
      views.push(v);
      return v;
    },
  );
  return { set, views, errors, handlers };
}

/** Lets pending promise callbacks run. */
const tick = () => new Promise((r) => setImmediate(r));

describe('panel kit: PanelSet (one host for every panel)', () => {
  it('a single panel: created and loaded once, then revealed; show resolves with what the page drew', async () => {
    const { set, views, handlers } = kit();
    const first = set.show(SINGLE);
    assert.equal(views.length, 1);
    assert.equal(views[0]!.loads, 1);
    handlers[0]!.drew(3);
    assert.deepEqual(await first, { n: 3 });
    // Revealed without an argument: the latest report at once.
    assert.deepEqual(await set.show(SINGLE), { n: 3 });
    assert.equal(views.length, 1);
    assert.equal(views[0]!.reveals, 1);
    // With an argument: applied, then the next render.
    const searched = set.show(SINGLE, { query: 'x' });
    await tick();
    assert.deepEqual(handlers[0]!.applied, [{ query: 'x' }]);
    handlers[0]!.drew(1);
    assert.deepEqual(await searched, { n: 1 });
    await assert.rejects(set.show(SINGLE, { bad: true }), /bad argument/);
  });

  it('a revealed panel that has not drawn answers undefined at once, unless the kind waits for the first render', async () => {
    const plain = kit();
    void plain.set.show(SINGLE, undefined, 50).catch(() => undefined);
    assert.equal(await plain.set.show(SINGLE), undefined);
    const waiting = kit({ revealWaitsForFirstRender: true });
    void waiting.set.show('s1', undefined, 1000).catch(() => undefined);
    const revealed = waiting.set.show('s1');
    waiting.handlers[0]!.drew(7);
    assert.deepEqual(await revealed, { n: 7 });
    await assert.rejects(waiting.set.show('s2', undefined, 20), /did not finish drawing within 20 ms/);
  });

  it('keyed panels: one per key, restored from the page state, a duplicate or a stateless page closed', () => {
    const { set, views, handlers } = kit({ restoredKey: (state) => (state as { id?: string } | undefined)?.id });
    void set.show('a').catch(() => undefined);
    void set.show('b').catch(() => undefined);
    assert.deepEqual(set.keys(), ['a', 'b']);
    assert.deepEqual(handlers.map((h) => h.context.key), ['a', 'b']);
    const restored = new FakeView();
    set.restore(restored, { id: 'c' });
    assert.equal(restored.loads, 1);
    assert.equal(set.handler('c')?.context.key, 'c');
    const duplicate = new FakeView();
    set.restore(duplicate, { id: 'a' });
    assert.equal(duplicate.disposed, true);
    const stateless = new FakeView();
    set.restore(stateless, undefined);
    assert.equal(stateless.disposed, true);
    assert.deepEqual(set.keys(), ['a', 'b', 'c']);
    // The handler acts on its own panel.
    handlers[1]!.context.setTitle('Codex: b');
    handlers[1]!.context.post({ type: 'hello' });
    assert.equal(views[1]!.title, 'Codex: b');
    assert.deepEqual(views[1]!.posted, [{ type: 'hello' }]);
    set.dispose();
  });

  it('a single panel restored after a reload is attached under the one key', () => {
    const { set } = kit();
    const restored = new FakeView();
    set.restore(restored, { anything: true });
    assert.deepEqual(set.keys(), [SINGLE]);
    assert.equal(restored.loads, 1);
  });

  it('routes page messages to the handler; a failure is reported and answered as error, with the request id when there was one', async () => {
    const { set, views, handlers, errors } = kit();
    void set.show(SINGLE).catch(() => undefined);
    const view = views[0]!;
    view.send({ type: 'ready' });
    view.send({ type: 'boom', seq: 4 });
    view.send({ type: 'boom' });
    await tick();
    assert.deepEqual(handlers[0]!.handled, [{ type: 'ready' }, { type: 'boom', seq: 4 }, { type: 'boom' }]);
    assert.equal(errors.length, 2);
    assert.deepEqual(view.posted, [
      { type: 'error', message: 'handler failed', seq: 4 },
      { type: 'error', message: 'handler failed' },
    ]);
    set.dispose();
  });

  it('reload loads every open page again; closing a panel disposes its handler and forgets it', () => {
    const { set, views, handlers } = kit({ restoredKey: (s) => s as string });
    void set.show('a').catch(() => undefined);
    void set.show('b').catch(() => undefined);
    set.reload();
    assert.deepEqual(views.map((v) => v.loads), [2, 2]);
    set.reload('b');
    assert.deepEqual(views.map((v) => v.loads), [2, 3]);
    views[0]!.dispose();
    assert.equal(handlers[0]!.disposed, true);
    assert.equal(views[0]!.listeners, 0);
    assert.deepEqual(set.keys(), ['b']);
    set.dispose();
    assert.equal(views[1]!.disposed, true);
    assert.equal(handlers[1]!.disposed, true);
    assert.deepEqual(set.keys(), []);
  });

  it('closing a panel ends a show still waiting for its page at once (no deadline timer outlives the panel)', async () => {
    const { set, views } = kit();
    const waiting = set.show(SINGLE);
    views[0]!.dispose();
    await assert.rejects(waiting, /^Error: The Fake panel was closed before it finished drawing\.$/);
  });
});
