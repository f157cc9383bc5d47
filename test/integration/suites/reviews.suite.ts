/**
 * Dialectic peer review as a VS Code user meets it (issue 12): an agent asks for a review through
 * the tools (POST /v1/tools/call) with an open reviewer slot; the Reviews view lists it (who asked,
 * the open slot, the phase, whose turn, the time left); the Review panel shows the thesis; the
 * person steps in as reviewer and types the antithesis into the panel's form, which the server
 * stores as the agent `vscode-user`; the agent answers with a synthesis and the person agrees in
 * the panel, which shows the resolution. Screenshots of the view and the panel in dark and light
 * themes go to test-results/vscode/. Needs the code-server runner (it reads and types into the DOM).
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { askRunner, type WebviewAction } from '../bridge';
import { activateExtension, callTool, inBothThemes, readToken, until, waitForState } from '../helpers';

interface Render {
  sessionId: string;
  phase: string;
  messages: number;
  yourTurn: string | null;
  renders: number;
}

const ASKER = 'reviews-suite-agent';
const ROOT_CAUSE = 'The migration rewrites every table in one step';

export function registerReviewsSuite(): void {
  describe('dialectic reviews in VS Code', function () {
    this.timeout(120_000);
    let url: string;
    let token: string;
    let sessionId: string;

    const call = async (name: string, args: Record<string, unknown>, agent = ASKER): Promise<Record<string, unknown>> => {
      const body = await callTool(url, token, agent, name, args);
      if (!body.success) throw new Error(`${name} failed: ${JSON.stringify(body.error)}`);
      return body.result!;
    };
    const session = async () => (await call('get_dialectic_session', { session_id: sessionId })) as { phase: string; reviewer_agent_id: string | null; transcript: { phase: string; agent_id: string; reasoning: string | null; proposed_conditions: string[]; concerns: string[] }[] };

    async function page(name: string, actions: WebviewAction[]): Promise<string> {
      const r = await askRunner({ op: 'webview', name, actions });
      assert.ok(r.ok, `${r.error ?? ''}\npage text:\n${r.text ?? ''}`);
      return r.text ?? '';
    }

    before(async function () {
      const api = await activateExtension();
      await waitForState(api, (s) => s.kind === 'running');
      url = api.serverUrl()!;
      token = await readToken();
      // The person reviews as vscode-user, who may be in one open review at a time.
      const busy = ((await call('list_dialectic_sessions', { agent_id: 'vscode-user' })) as { count: number }).count;
      assert.equal(busy, 0, 'vscode-user is already in an open review (an earlier suite left one)');
      await call('process_agent_update', { agent_id: ASKER, operation: 'Plan the schema migration', complexity: 0.3, confidence: 0.8 });
      const opened = await call('request_dialectic_review', {
        agent_id: ASKER,
        reviewer_mode: 'any',
        reason: 'Reviews suite: risky schema migration',
        auto_progress: true,
        root_cause: ROOT_CAUSE,
        proposed_conditions: ['Reduce complexity to 0.3'],
        reasoning: 'I changed too much at once.',
      });
      sessionId = opened.session_id as string;
    });

    after(async function () {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('the Reviews view lists the review an agent asked for: who asked, the open slot, the phase, whose turn, the time left', async function () {
      await vscode.commands.executeCommand('codexGovernance.showReviews');
      const view = await askRunner({ op: 'view', name: 'reviews-view', title: 'Reviews', items: [ASKER] });
      assert.ok(view.ok, view.error);
      const row = view.items?.find((r) => r.includes(ASKER)) ?? '';
      assert.match(row, /reviewer open slot · antithesis · open to any reviewer · (2 h|1 h 59 min) left/);
      await inBothThemes((suffix) => askRunner({ op: 'view', name: `reviews-view-${suffix}`, title: 'Reviews', items: [ASKER] }).then((r) => assert.ok(r.ok, r.error)));
    });

    it('the Review panel opens on the session and shows the thesis', async function () {
      const r = await vscode.commands.executeCommand<Render>('codexGovernance.reviews.open', sessionId);
      assert.deepEqual([r.sessionId, r.phase, r.messages, r.yourTurn], [sessionId, 'antithesis', 1, 'antithesis']);
      const text = await page('review-panel-thesis', [
        { waitText: '#messages', contains: ROOT_CAUSE },
        { waitText: '#phase', contains: 'antithesis' },
      ]);
      assert.match(text, new RegExp(`Review of ${ASKER}`));
      assert.match(text, /Reviewer\s+open slot/);
      assert.match(text, /Thesis[\s\S]*Reduce complexity to 0\.3[\s\S]*I changed too much at once\./);
      assert.match(text, /The reviewer slot is open/);
    });

    it('a person steps in as reviewer and submits the antithesis through the panel; the server stores it as vscode-user', async function () {
      // The row's inline action, as a person clicks it.
      const view = await askRunner({ op: 'view', name: 'reviews-view-step-in', title: 'Reviews', items: [ASKER], click: { row: ASKER, action: 'Step In as Reviewer' } });
      assert.ok(view.ok, view.error);
      const form = await page('review-panel-step-in', [{ waitFor: '#form' }, { waitText: '#form-title', contains: 'Your review (antithesis)' }]);
      assert.match(form, /Submitting takes the open reviewer slot/);
      await inBothThemes((suffix) => page(`review-panel-step-in-${suffix}`, [{ waitFor: '#form' }]).then(() => undefined));
      const text = await page('review-panel-antithesis', [
        { fill: '#reasoning textarea', value: 'Reviews suite: split the migration per table and test each step.' },
        { fill: '#conditions textarea', value: 'Reduce complexity to 0.3\nMonitor for 24h' },
        { fill: '#concerns textarea', value: 'No rollback plan' },
        { click: '#submit' },
        { waitText: '#phase', contains: 'synthesis' },
        { waitText: '#messages', contains: 'split the migration per table' },
      ]);
      assert.match(text, /Antithesis\s+by you \(reviewer\)/);
      const stored = await session();
      assert.deepEqual([stored.phase, stored.reviewer_agent_id], ['synthesis', 'vscode-user']);
      const anti = stored.transcript[1]!;
      assert.deepEqual([anti.phase, anti.agent_id, anti.proposed_conditions, anti.concerns], ['antithesis', 'vscode-user', ['Reduce complexity to 0.3', 'Monitor for 24h'], ['No rollback plan']]);
      const after = await askRunner({ op: 'view', name: 'reviews-view-synthesis', title: 'Reviews', items: [ASKER] });
      assert.ok(after.ok, after.error);
      assert.match(after.items?.find((row) => row.includes(ASKER)) ?? '', /reviewer you · synthesis · your turn \(either side\)/);
    });

    it('the agent proposes a synthesis, the person agrees in the panel and the panel shows the resolution', async function () {
      await call('submit_synthesis', { session_id: sessionId, agent_id: ASKER, agrees: true, root_cause: ROOT_CAUSE, proposed_conditions: ['Reduce complexity to 0.3'], reasoning: 'Per table it is.' });
      await vscode.commands.executeCommand('codexGovernance.reviews.open', sessionId);
      const text = await page('review-panel-resolved', [
        { waitText: '#messages', contains: 'Per table it is.' },
        { fill: '#reasoning textarea', value: 'Agreed: per table, capped.' },
        { click: '#agrees label' },
        { click: '#submit' },
        { waitText: '#phase', contains: 'resolved' },
        { waitText: '#outcome', contains: 'Complexity cap' },
      ]);
      assert.match(text, /Resolved[\s\S]*Reduce complexity to 0\.3[\s\S]*Complexity cap\s+0\.30/);
      assert.equal((await session()).phase, 'resolved');
      await inBothThemes((suffix) => page(`review-panel-${suffix}`, [{ waitText: '#outcome', contains: 'Resolved' }]).then(() => undefined));
      // Ended reviews leave the view.
      await until(async () => (((await call('list_dialectic_sessions', { agent_id: ASKER })) as { count: number }).count === 0 ? true : undefined));
    });
  });
}
