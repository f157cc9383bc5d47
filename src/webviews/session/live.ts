/**
 * Text Codex is still writing, drawn as it arrives: deltas are queued and applied once per
 * animation frame (a model sending 50 pieces a second costs one redraw a frame, not 50), the
 * answer re-rendered as markdown, command output shown as its last lines. The final transcript
 * event of an item replaces its live row. Each delta's delay from the supervisor to the frame that
 * draws it is kept (the last {@link SAMPLE_LIMIT}) for the page's render report, with the part of
 * it spent in the page itself (from the message's arrival).
 */
import { el } from '../shared/theme';
import { finishedBlocks } from './blocks';
import type { LiveDelta, LiveItem } from './protocol';
import { fillMarkdown, type RowActions } from './render';

/** Delay samples kept (a ring): memory stays flat however long a turn streams. */
export const SAMPLE_LIMIT = 2000;
/** Above this many characters an answer is drawn as plain text while it streams (markdown again when final). */
const MARKDOWN_LIVE_LIMIT = 60_000;
/** Command output shown while it streams (characters, the end). */
const OUTPUT_TAIL = 8_000;

interface Row {
  item: LiveItem;
  el: HTMLElement;
  body: HTMLElement;
  /** Answers: the finished blocks, drawn once each, and the block still being written, drawn every frame. */
  stable?: HTMLElement;
  tail?: HTMLElement;
  /** Characters of the text already in `stable`. */
  done: number;
  dirty: boolean;
}

const LABELS: Record<LiveItem['kind'], [string, string, string]> = {
  agent: ['Codex is writing…', 'sparkle', 'agent'],
  reasoning: ['Codex is thinking…', 'lightbulb', 'reasoning'],
  output: ['Command output…', 'terminal', 'command'],
};

export class LiveRows {
  private readonly rows = new Map<string, Row>();
  private queue: Array<LiveDelta & { gotAt: number }> = [];
  private frame: number | undefined;
  private readonly samples: number[] = [];
  /** Of each sample, the part spent in the page (message received to frame drawn), ms. */
  private readonly pageSamples: number[] = [];
  private sampleAt = 0;
  private count = 0;

  /**
   * @param insert puts a new live row into the transcript (before the pending approvals)
   * @param update runs a frame's changes (the page keeps the bottom in view if it was there before)
   * @param drawn called after a frame drew deltas (reports)
   */
  constructor(
    private readonly insert: (row: HTMLElement) => void,
    private readonly actions: RowActions,
    private readonly update: (apply: () => void) => void,
    private readonly drawn: () => void,
  ) {}

  /** Queues deltas for the next frame. */
  push(deltas: readonly LiveDelta[]): void {
    const gotAt = Date.now();
    for (const d of deltas) this.queue.push({ ...d, gotAt });
    this.frame ??= requestAnimationFrame(() => this.flush());
  }

  /** Replaces every live row with `items` (a snapshot, a poll of another window's server). */
  reset(items: readonly LiveItem[]): void {
    const keep = new Set(items.map((i) => i.itemId));
    for (const [id, row] of this.rows) if (!keep.has(id)) this.remove(id, row);
    for (const item of items) {
      const row = this.rows.get(item.itemId) ?? this.create(item);
      row.item = { ...item };
      row.done = 0;
      row.stable?.replaceChildren();
      row.dirty = true;
    }
    this.frame ??= requestAnimationFrame(() => this.flush());
  }

  /** The final event of an item arrived: its live row goes. */
  finish(itemId: string): void {
    const row = this.rows.get(itemId);
    if (row) this.remove(itemId, row);
  }

  clear(): void {
    for (const [id, row] of this.rows) this.remove(id, row);
    this.queue = [];
  }

  /** Delta-to-screen delays so far (ms): count, median, 95th percentile and max of the kept samples. */
  stats(): { deltas: number; p50Ms: number; p95Ms: number; maxMs: number; pageP50Ms: number } | undefined {
    if (this.samples.length === 0) return undefined;
    const quantile = (xs: number[], q: number) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    };
    return { deltas: this.count, p50Ms: quantile(this.samples, 0.5), p95Ms: quantile(this.samples, 0.95), maxMs: Math.max(...this.samples), pageP50Ms: quantile(this.pageSamples, 0.5) };
  }

  private create(item: LiveItem): Row {
    const [label, icon, style] = LABELS[item.kind];
    const body = el(item.kind === 'output' ? 'pre' : 'div', { class: item.kind === 'output' ? 'code live-output' : 'text markdown' });
    const row = el('div', { class: `event live ${style}`, 'data-live': item.kind, 'data-item': item.itemId }, el('div', { class: 'meta-line' }, el('span', { class: 'label' }, el('span', { class: `codicon codicon-${icon}`, 'aria-hidden': 'true' }), ` ${label}`), el('span', { class: 'spacer' }), el('span', { class: 'streaming-dot', 'aria-hidden': 'true' })), body);
    const r: Row = { item: { ...item, text: '', received: 0 }, el: row, body, done: 0, dirty: false };
    if (item.kind !== 'output') {
      r.stable = el('div', { class: 'stable' });
      r.tail = el('div', { class: 'tail' });
      body.append(r.stable, r.tail);
    }
    this.rows.set(item.itemId, r);
    this.insert(row);
    return r;
  }

  private draw(row: Row): void {
    const text = row.item.text;
    if (!row.stable || !row.tail) {
      row.body.textContent = text.length > OUTPUT_TAIL ? `…${text.slice(-OUTPUT_TAIL)}` : text;
      return;
    }
    if (text.length > MARKDOWN_LIVE_LIMIT) {
      row.stable.replaceChildren();
      row.done = 0;
      row.tail.textContent = text;
      return;
    }
    const upTo = finishedBlocks(text, row.done);
    if (upTo > row.done) {
      const blocks = el('div');
      fillMarkdown(blocks, text.slice(row.done, upTo), this.actions);
      row.stable.append(...Array.from(blocks.childNodes));
      row.done = upTo;
    }
    fillMarkdown(row.tail, text.slice(row.done), this.actions);
  }

  private remove(id: string, row: Row): void {
    row.el.remove();
    this.rows.delete(id);
  }

  private flush(): void {
    this.frame = undefined;
    const batch = this.queue;
    this.queue = [];
    for (const d of batch) {
      const row = this.rows.get(d.itemId) ?? this.create({ itemId: d.itemId, kind: d.kind, text: '', received: 0 });
      // A snapshot may already hold the start of this piece, or all of it.
      const skip = d.offset === undefined ? 0 : Math.max(0, row.item.received - d.offset);
      if (skip >= d.delta.length) continue;
      row.item.text += d.delta.slice(skip);
      row.item.received += d.delta.length - skip;
      row.dirty = true;
    }
    this.update(() => {
      for (const row of this.rows.values()) {
        if (!row.dirty) continue;
        row.dirty = false;
        this.draw(row);
      }
    });
    // This frame paints what was just set: the delay of each delta is measured now.
    const now = Date.now();
    for (const d of batch) {
      this.samples[this.sampleAt] = Math.max(0, now - d.at);
      this.pageSamples[this.sampleAt] = Math.max(0, now - d.gotAt);
      this.sampleAt = (this.sampleAt + 1) % SAMPLE_LIMIT;
      this.count++;
    }
    if (batch.length || this.rows.size) this.drawn();
  }
}
