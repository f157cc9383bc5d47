/* global navigator -- used only inside page.evaluate(), which runs in the workbench page */
// The approval modal as a person meets it (issue 4). VS Code refuses every modal dialog while it
// runs extension tests (the workbench's DialogService.skipDialogs() is true when the window has an
// extensionTestsLocationURI), so the extension-host suites cannot see it. This phase reopens the
// same code-server workbench with only extensionDevelopmentPath: the extension activates as it
// would for a user, and the runner itself plays both the agent (HTTP calls to the governance
// server) and the person (reads and clicks the modal in the page).
//
// Checks, each counted in the runner's summary:
//   1. a `codex` call asking for danger-full-access opens the modal, which names the risk, the
//      sandbox and the folder, with Deny as its default button (screenshot: approval-modal.png);
//   2. Deny -> the caller gets `forbidden` with the reason, and no Codex session starts;
//   3. Allow Once -> the Codex session starts.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {{ page: import('playwright-core').Page, origin: string, ext: string, workspace: string,
 *   log: (m: string) => void, screenshot: (name: string) => Promise<void> }} o
 * @returns {Promise<{ passed: string[], failed: string[], base?: string, token?: string }>} base and token of the server this window runs, for the next phase
 */
export async function runModalPhase({ page, origin, ext, workspace, log, screenshot }) {
  const passed = [];
  const failed = [];
  const check = async (title, fn) => {
    try {
      await fn();
      passed.push(title);
      log(`modal phase: ok - ${title}`);
    } catch (err) {
      failed.push(`${title}: ${err instanceof Error ? err.message : String(err)}`);
      log(`modal phase: FAILED - ${title}: ${err instanceof Error ? err.message : String(err)}`);
      await screenshot(`modal-phase-failure-${failed.length}`);
    }
  };

  const payload = [['extensionDevelopmentPath', ext]];
  await page.goto(`${origin}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  let base;
  let token;
  await check('the extension starts the server in a plain window and Copy Server Token gives its token', async () => {
    base = `http://127.0.0.1:${await portFromStatusBar(page)}`;
    token = await tokenFromCommandPalette(page, base, log);
  });
  if (!token) return { passed, failed };
  const call = (name, args) =>
    fetch(`${base}/v1/tools/call`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-session-id': 'modal-phase' },
      body: JSON.stringify({ name, arguments: args }),
    }).then((r) => r.json());
  const sessionCount = async () => (await call('codex-session-info', {})).result.count;
  const askFullAccess = (prompt) => call('codex', { prompt, sandbox: 'danger-full-access', cwd: workspace });
  const modal = page.locator('.monaco-dialog-box', { hasText: 'full access' }).first();
  const clickButton = (label) => modal.locator('.dialog-buttons .monaco-button').filter({ hasText: new RegExp(`^\\s*${label}\\s*$`) }).first().click();

  let denied;
  await check('a danger-full-access codex call opens the modal with the risk, sandbox and folder', async () => {
    denied = { before: await sessionCount(), answer: askFullAccess('modal phase: please deny') };
    await modal.waitFor({ state: 'visible', timeout: 30_000 });
    const text = (await modal.innerText()).replace(/\s+/g, ' ');
    await screenshot('approval-modal');
    for (const want of ['HIGH risk', 'wants a Codex session with full access', 'Sandbox: danger-full-access', `Folder (cwd): ${workspace}`, 'Risk: high']) {
      if (!text.includes(want)) throw new Error(`the modal lacks "${want}": ${text}`);
    }
    const buttons = (await modal.locator('.dialog-buttons .monaco-button').allInnerTexts()).map((b) => b.trim());
    for (const want of ['Allow Once', 'Allow for This Session', 'Deny']) {
      if (!buttons.includes(want)) throw new Error(`the modal lacks the button "${want}": ${JSON.stringify(buttons)}`);
    }
    // Enter presses the focused button: it must be Deny, so a keystroke meant for the editor cannot grant full access.
    const focused = (await modal.locator('.dialog-buttons .monaco-button:focus').innerText({ timeout: 5000 }).catch(() => '')).trim();
    if (focused !== 'Deny') throw new Error(`the modal's default (focused) button is "${focused}", not Deny`);
  });

  await check('Deny in the modal: the caller gets forbidden with the reason and no Codex session starts', async () => {
    if (!denied) throw new Error('no request was made');
    await clickButton('Deny');
    const body = await withTimeout(denied.answer, 30_000, 'the denied call to answer');
    if (body.success !== false || body.error?.code !== 'forbidden') throw new Error(`expected forbidden, got ${JSON.stringify(body)}`);
    if (!/denied/i.test(body.error.message)) throw new Error(`the reason does not say it was denied: ${body.error.message}`);
    await sleep(500);
    const after = await sessionCount();
    if (after !== denied.before) throw new Error(`sessions went from ${denied.before} to ${after} after a denial`);
  });

  await check('Allow Once in the modal: the Codex session starts', async () => {
    const before = await sessionCount();
    const answer = askFullAccess('modal phase: allowed');
    await modal.waitFor({ state: 'visible', timeout: 30_000 });
    await clickButton('Allow Once');
    const deadline = Date.now() + 30_000;
    while ((await sessionCount()) === before && Date.now() < deadline) await sleep(200);
    const after = await sessionCount();
    await call('codex-cleanup', { force: true });
    const body = await withTimeout(answer, 30_000, 'the allowed call to answer');
    if (after !== before + 1) throw new Error(`sessions went from ${before} to ${after} after Allow Once`);
    if (body.error?.code === 'forbidden') throw new Error(`the allowed call was refused: ${JSON.stringify(body)}`);
  });

  return { passed, failed, base, token };
}

function withTimeout(promise, ms, what) {
  return Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`timed out after ${ms} ms waiting for ${what}`)))]);
}

/** The server's port as the status bar shows it ("Governance: 127.0.0.1:PORT"); the suites may have changed the setting. */
async function portFromStatusBar(page) {
  const bar = page.locator('[id="workbench.parts.statusbar"]');
  const deadline = Date.now() + 60_000;
  let text = '';
  while (Date.now() < deadline) {
    text = (await bar.innerText({ timeout: 5000 }).catch(() => '')).replace(/\s+/g, ' ');
    const m = /Governance: 127\.0\.0\.1:(\d+)/.exec(text);
    if (m) return Number(m[1]);
    await sleep(250);
  }
  throw new Error(`the status bar never showed a running server: "${text}"`);
}

/**
 * Runs "Codex Governance: Copy Server Token" from the command palette, as a person connecting an
 * agent would, and reads the clipboard. Waits for the server first: the command needs it to exist.
 */
async function tokenFromCommandPalette(page, base, log) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await fetch(`${base}/health`).then((r) => r.status, () => 0);
    if (status === 401 || status === 200) break;
    if (Date.now() > deadline) throw new Error(`the governance server did not answer on ${base} within 60 s`);
    await sleep(250);
  }
  await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
  for (let attempt = 1; attempt <= 3; attempt++) {
    await page.evaluate(() => navigator.clipboard.writeText(''));
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('>Codex Governance: Copy Server Token');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Copy Server Token' }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      const text = await page.evaluate(() => navigator.clipboard.readText());
      if (text.length >= 16) return text;
      await sleep(200);
    }
    log(`modal phase: the clipboard held no token after Copy Server Token (attempt ${attempt})`);
    await page.keyboard.press('Escape');
  }
  throw new Error('Copy Server Token put no token on the clipboard');
}
