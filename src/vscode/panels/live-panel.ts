/**
 * The part every panel that follows one server object shares (a Codex session, a dialectic
 * review), without `vscode`: once its page is ready it listens for one GovernanceClient topic and
 * reloads, one load at a time (./serial-refresh), on each change and when the client is replaced
 * (another window took over the server); it keeps the page's render reports for the show commands
 * and tests; dispose ends the listening and every waiting show.
 */
import type { GovernanceClientSource } from '../../client/select';
import type { GovernanceClient, GovernanceTopic } from '../../client/types';
import { RenderWaiter } from './render-waiter';
import { SerialRefresh } from './serial-refresh';

export abstract class LivePanelHandler<Report extends { renders: number }> {
  protected ready = false;
  protected disposed = false;
  private unsubscribe: (() => void) | undefined;
  private readonly offClient: () => void;
  private readonly refresher = new SerialRefresh(() => this.load(), () => this.disposed);
  private readonly renders = new RenderWaiter<Report>();
  private lastReport: Report | undefined;

  /**
   * @param topic the change topic that reloads the panel
   * @param panel the panel's name in render-timeout messages, e.g. `Session`
   * @param noServer the error when no server can be reached
   */
  protected constructor(
    private readonly clients: Pick<GovernanceClientSource, 'current' | 'onDidChangeClient'>,
    private readonly topic: GovernanceTopic,
    private readonly panel: string,
    private readonly noServer: string,
  ) {
    this.offClient = clients.onDidChangeClient(() => {
      if (!this.ready) return;
      this.listen();
      this.clientReplaced();
      void this.refresh();
    });
  }

  /** Reads the object and posts it to the page. */
  protected abstract load(): Promise<void>;

  /** Called when the client was replaced, before the reload (e.g. forget what the page was sent). */
  protected clientReplaced(): void {}

  /** The page said it is ready: start listening (the caller then refreshes). */
  protected pageReady(): void {
    this.ready = true;
    this.listen();
  }

  /** Keeps the page's render report, counting the renders so far. */
  protected rendered(report: (renders: number) => Report): void {
    this.lastReport = report((this.lastReport?.renders ?? 0) + 1);
    this.renders.resolve(this.lastReport);
  }

  /** Resolves with the page's next render report; rejects after `timeoutMs` (ms). */
  nextRender(timeoutMs: number): Promise<Report> {
    return this.renders.next(this.panel, timeoutMs);
  }

  lastRender(): Report | undefined {
    return this.lastReport;
  }

  /** Reloads; calls made while a load runs are merged into one more run. */
  refresh(): Promise<void> {
    return this.refresher.run();
  }

  dispose(): void {
    this.disposed = true;
    this.unsubscribe?.();
    this.offClient();
    this.renders.dispose();
  }

  /** @throws Error with the no-server message when no server can be reached */
  protected client(): GovernanceClient {
    const c = this.clients.current;
    if (!c) throw new Error(this.noServer);
    return c;
  }

  private listen(): void {
    this.unsubscribe?.();
    this.unsubscribe = this.clients.current?.onDidChange((topics) => {
      if (topics.has(this.topic)) void this.refresh();
    });
  }
}
