/**
 * Request ids shared by a page and its host (no DOM, no Node, no zod: both sides import it).
 *
 * A page message that expects an answer is a request: it carries `seq`, a number the page's
 * {@link PageRequests} hands out. The host answers with {@link answerTo}, which copies that `seq`
 * into the answer, and the page's `PageRequests` resolves the promise of the request it answers.
 * Messages without `seq` (`ready`, `rendered`, what the host pushes on its own) are not requests.
 * A request the host fails on is answered with `{ type: 'error', message, seq }` (see
 * src/vscode/panels/panel-set.ts), so no request waits forever for an answer that will not come.
 */

/** What a request and its answer carry. */
export interface RequestId {
  seq: number;
}

/** The request id of a raw page message, if it is a request (`seq` a whole number). */
export function requestIdOf(message: unknown): number | undefined {
  const seq = typeof message === 'object' && message !== null ? (message as { seq?: unknown }).seq : undefined;
  return typeof seq === 'number' && Number.isInteger(seq) ? seq : undefined;
}

/** Host side: `answer` with the id of the `request` it answers. */
export function answerTo<A extends object>(request: RequestId, answer: A): A & RequestId {
  return { ...answer, seq: request.seq };
}

/**
 * Page side: numbers the page's requests and routes each answer to the request that asked.
 * `Answer` is the union of the host messages that answer requests.
 */
export class PageRequests<Answer extends RequestId> {
  private last = 0;
  private readonly waiting = new Map<number, (answer: Answer) => void>();

  /**
   * Posts `message` with a fresh id.
   * @returns the host's answer (with the same id)
   */
  send<M extends object>(post: (message: M & RequestId) => void, message: M): Promise<Answer> {
    const seq = ++this.last;
    return new Promise<Answer>((resolve) => {
      this.waiting.set(seq, resolve);
      post({ ...message, seq });
    });
  }

  /** True when no request was sent (or superseded) after the one with this id. */
  isLatest(seq: number): boolean {
    return seq === this.last;
  }

  /** Makes every request sent so far stale for {@link isLatest} (their answers still arrive). */
  supersede(): void {
    this.last++;
  }

  /** Number of requests still waiting for their answer. */
  get open(): number {
    return this.waiting.size;
  }

  /**
   * Offers a host message; when it answers a waiting request, resolves that request's promise.
   * @returns true when it was such an answer
   */
  settle(message: unknown): boolean {
    const seq = requestIdOf(message);
    if (seq === undefined) return false;
    const resolve = this.waiting.get(seq);
    if (!resolve) return false;
    this.waiting.delete(seq);
    resolve(message as Answer);
    return true;
  }
}
