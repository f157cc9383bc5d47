// Approvals and settings as a person meets them (issue 15), in the plain window the modal phase
// left open (VS Code shows no modal or sticky prompt while it runs extension tests). The runner
// plays the agent (a Codex PermissionRequest hook event over HTTP, exactly what `codex-governance
// hook` posts) and the person (reads and clicks the workbench through the Bridge).
//
// Checks, each counted in the runner's summary:
//   1. a medium-risk escalation (`rm -rf ../x`) is a notification with Deny as its primary button,
//      counted in the status bar; the Agents view lists the asking agent, which never reported;
//   2. after 60 s it is still there and still answerable: Deny reaches the hook as a denial, and the
//      status bar count goes away.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** How long the request must stay visible and answerable (issue 15: "after 60 s"). */
const STAY_MS = Number(process.env.CODEX_GOV_IT_STAY_MS ?? 60_000);

/**
 * @param {{ page: import('playwright-core').Page, bridge: { notification: Function, statusbar: Function, view: Function, hideNotificationCenter: Function },
 *   base: string, token: string, log: (m: string) => void, screenshot: (name: string) => Promise<void> }} o
 * @returns {Promise<{ passed: string[], failed: string[] }>}
 */
export async function runPersonPhase({ page, bridge, base, token, log, screenshot }) {
  const passed = [];
  const failed = [];
  const check = async (title, fn) => {
    try {
      await fn();
      passed.push(title);
      log(`person phase: ok - ${title}`);
    } catch (err) {
      failed.push(`${title}: ${err instanceof Error ? err.message : String(err)}`);
      log(`person phase: FAILED - ${title}: ${err instanceof Error ? err.message : String(err)}`);
      await screenshot(`person-phase-failure-${failed.length}`);
    }
  };
  const must = (r, what) => {
    if (!r.ok) throw new Error(`${what}: ${r.error ?? JSON.stringify(r)}`);
    return r;
  };

  const sessionId = '0199f00d-0000-7000-8000-0000000000a1';
  let answer;
  let agentId;
  await check('a medium escalation (rm -rf ../x) is a notification with Deny first, counted in the status bar; the Agents view lists the agent that only asked', async () => {
    answer = fetch(`${base}/v1/hooks/codex`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ session_id: sessionId, hook_event_name: 'PermissionRequest', cwd: '/tmp/person-phase', permission_mode: 'default', tool_name: 'Bash', tool_input: { command: 'rm -rf ../x', description: 'clean the sibling folder' } }),
    }).then((r) => r.json());
    const n = must(await bridge.notification({ name: 'person-medium-notification', contains: 'rm -rf ../x' }), 'the notification');
    if (!/^Approval needed\. MEDIUM risk/.test(n.text)) throw new Error(`unexpected text: ${n.text}`);
    if (n.buttons[0] !== 'Deny') throw new Error(`the primary (first) button is "${n.buttons[0]}", not Deny: ${JSON.stringify(n.buttons)}`);
    for (const b of ['Allow Once', 'Allow for This Session']) if (!n.buttons.includes(b)) throw new Error(`no "${b}" button: ${JSON.stringify(n.buttons)}`);
    if (!n.text.includes('Closing this answers nothing')) throw new Error(`the text does not say what closing does: ${n.text}`);
    must(await bridge.statusbar({ name: 'person-status-count', contains: ['1 approval waiting'] }), 'the status bar count');
    const m = /MEDIUM risk: (\S+) asks/.exec(n.text);
    agentId = m?.[1];
    if (!agentId) throw new Error(`no agent id in "${n.text}"`);
    const view = must(await bridge.view({ name: 'person-agents-view', title: 'Agents', items: [agentId] }), 'the Agents view');
    const row = view.items.find((r) => r.includes(agentId));
    if (!row.includes('no report') || !row.includes('1 approval')) throw new Error(`the Agents row reads "${row}"`);
  });

  await check(`after ${STAY_MS / 1000} s the request is still shown and answerable: Deny reaches the hook as a denial and the count goes away`, async () => {
    if (!answer) throw new Error('no request was made');
    const early = await Promise.race([answer, sleep(STAY_MS).then(() => undefined)]);
    if (early) throw new Error(`the request was settled without the person: ${JSON.stringify(early)}`);
    must(await bridge.statusbar({ name: 'person-status-count-later', contains: ['1 approval waiting'] }), 'the status bar count after the wait');
    must(await bridge.notification({ name: 'person-medium-later', contains: 'rm -rf ../x', click: 'Deny' }), 'the notification after the wait');
    const body = await Promise.race([answer, sleep(20_000).then(() => ({ timeout: true }))]);
    if (body.decision?.kind !== 'deny') throw new Error(`the hook got ${JSON.stringify(body)}`);
    const deadline = Date.now() + 10_000;
    let text = '';
    while (Date.now() < deadline) {
      text = await page.locator('[id="workbench.parts.statusbar"]').innerText().catch(() => '');
      if (!text.includes('approval waiting')) break;
      await sleep(200);
    }
    if (text.includes('approval waiting')) throw new Error(`the status bar still counts it: ${text}`);
  });

  return { passed, failed };
}
