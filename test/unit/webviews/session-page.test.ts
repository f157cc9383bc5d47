/**
 * The Session page's plain parts: markdown to HTML (raw HTML escaped, line breaks kept, code
 * blocks), readable labels, the Markdown export, and the host's validation of page messages.
 */
import assert from 'node:assert/strict';
import { longMarkdown } from '../../fakes/long-markdown';
import { transcriptMarkdown } from '../../../src/webviews/session/export';
import { authorOf, commandFacts, labelOf } from '../../../src/webviews/session/labels';
import { finishedBlocks } from '../../../src/webviews/session/blocks';
import { escapeHtml, markdownHtml } from '../../../src/webviews/shared/markdown';
import type { SessionHeader, TranscriptEvent } from '../../../src/webviews/session/protocol';
import { parseSessionPageMessage } from '../../../src/webviews/session/schema';

const at = '2026-12-01T10:00:00.000Z';
const ev = (type: string, extra: Partial<TranscriptEvent> = {}): TranscriptEvent => ({ at, type, summary: '', ...extra });

describe('Session page: markdown', () => {
  it('renders headings, emphasis, lists, tables and fenced code; single line breaks stay', () => {
    const html = markdownHtml('# Title\n\nfirst line\nsecond line\n\n- **bold** item\n\n```ts\nconst a = 1;\nconst b = 2;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |');
    assert.match(html, /<h1>Title<\/h1>/);
    assert.match(html, /first line<br>second line/);
    assert.match(html, /<li><strong>bold<\/strong> item<\/li>/);
    assert.match(html, /<pre><code class="language-ts">const a = 1;\nconst b = 2;\n<\/code><\/pre>/);
    assert.match(html, /<table>[\s\S]*<td>1<\/td>/);
  });

  it('shows raw HTML as text: block and inline tags are escaped, never interpreted', () => {
    const html = markdownHtml('<script>alert(1)</script>\n\nhello <img src=x onerror=alert(1)> <b>bold</b>');
    assert.ok(!/<script|<img|<b>/.test(html), html);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('renders a 5,000-character answer whole in well under 50 ms', () => {
    const source = longMarkdown(5000);
    markdownHtml(source);
    const t0 = performance.now();
    const html = markdownHtml(source);
    const ms = performance.now() - t0;
    assert.ok(html.includes('END-OF-ANSWER'));
    assert.ok(ms < 50, `${ms} ms`);
  });
});

describe('Session page: labels', () => {
  it('names who wrote a prompt: you (the VS Code user, or an old event without a sender) or the agent', () => {
    assert.equal(authorOf(ev('user_message', { by: 'vscode-user' })), 'You');
    assert.equal(authorOf(ev('user_message')), 'You');
    assert.deepEqual(labelOf(ev('user_message', { by: 'ci-bot' })), { label: 'ci-bot', icon: 'robot', style: 'user' });
  });

  it('says what happened in words: answers, commands, approvals, turns; unknown types as words', () => {
    assert.equal(labelOf(ev('item/completed:agentMessage')).label, 'Codex');
    assert.equal(labelOf(ev('agent_message_partial')).label, 'Codex (stopped before the end)');
    assert.equal(labelOf(ev('item/completed:commandExecution')).label, 'Ran a command');
    assert.equal(labelOf(ev('approval', { approval: { source: 'codex-exec', decision: 'allow_once' } })).label, 'Allowed once: a command');
    assert.equal(labelOf(ev('approval', { approval: { source: 'codex-patch', decision: 'deny' } })).label, 'Denied: a file change');
    assert.equal(labelOf(ev('turn/completed', { summary: 'completed' })).label, 'Turn finished');
    assert.equal(labelOf(ev('turn/completed', { summary: 'interrupted' })).label, 'Turn stopped');
    assert.equal(labelOf(ev('turn/completed', { summary: 'failed: boom' })).label, 'Turn failed');
    assert.equal(labelOf(ev('item/completed:webSearch')).label, 'Web search');
    assert.equal(labelOf(ev('mcp_startup_complete')).label, 'Mcp startup complete');
  });

  it('gives a command its exit code and time', () => {
    assert.equal(commandFacts(ev('x', { command: { command: 'ls', exitCode: 2, durationMs: 1530 } })), 'exit 2 · 1.5 s');
    assert.equal(commandFacts(ev('x', { command: { command: 'ls', exitCode: 0, durationMs: 12 } })), 'exit 0 · 12 ms');
    assert.equal(commandFacts(ev('x')), '');
  });
});

describe('Session page: Markdown export', () => {
  const header: SessionHeader = {
    sessionId: 's-1', threadId: 't-1', status: 'idle', title: 'fix the build', sandbox: 'read-only', approvalPolicy: null, cwd: '/w', model: null,
    backend: 'app-server', codexVersion: '0.171.0', turns: 1, tokens: { input: 10, cachedInput: 0, output: 5, total: 15 }, lastActivityAt: at, lastError: null,
    agentId: 'vscode-user', canReply: true, resumable: false, readOnly: false,
  };

  it('writes the facts, then each event under its label: prompts, answers as written, commands and diffs fenced', () => {
    const md = transcriptMarkdown(header, [
      ev('user_message', { summary: 'fix the build', text: 'fix the build\nplease', by: 'vscode-user' }),
      ev('item/completed:commandExecution', { summary: 'npm test (exit 1)', command: { command: 'npm test', exitCode: 1, output: 'has ``` inside\n' } }),
      ev('item/completed:fileChange', { summary: 'completed: a.ts', changes: [{ path: 'a.ts', kind: 'update', diff: '@@ -1 +1 @@\n-a\n+b\n' }] }),
      ev('item/completed:agentMessage', { summary: 'Done', text: '**Done**: fixed `a.ts`.' }),
    ], '2026-12-01T11:00:00.000Z');
    assert.match(md, /^# Codex session: fix the build\n\n- Session: `s-1`, thread `t-1`\n/);
    assert.match(md, /## You · 2026-12-01T10:00:00.000Z\n\nfix the build\nplease\n/);
    assert.match(md, /## Ran a command · .*\n\n```sh\nnpm test\n```\n\n_exit 1_\n\n````text\nhas ``` inside\n````/);
    assert.match(md, /## Changed files · .*\n\n`a.ts` \(update\)\n\n```diff\n@@ -1 \+1 @@\n-a\n\+b\n```/);
    assert.match(md, /## Codex · .*\n\n\*\*Done\*\*: fixed `a.ts`\.\n$/);
  });
});

describe('Session page: messages the host accepts', () => {
  it('accepts stop, approve, copy, export, open-diff and a render report with stream figures', () => {
    assert.deepEqual(parseSessionPageMessage({ type: 'stop' }), { type: 'stop' });
    assert.deepEqual(parseSessionPageMessage({ type: 'approve', id: 'a1', decision: 'allow_session' }), { type: 'approve', id: 'a1', decision: 'allow_session' });
    assert.deepEqual(parseSessionPageMessage({ type: 'export', to: 'file' }), { type: 'export', to: 'file' });
    assert.deepEqual(parseSessionPageMessage({ type: 'open-diff', index: 3, path: 'src/a.ts' }), { type: 'open-diff', index: 3, path: 'src/a.ts' });
    const report = { type: 'rendered', sessionId: 's', events: 2, status: 'running', stream: { deltas: 10, p50Ms: 12, p95Ms: 30, maxMs: 41, pageP50Ms: 3 }, heapBytes: 1e6, nodes: 40 };
    assert.deepEqual(parseSessionPageMessage(report), report);
  });

  it('refuses unknown decisions, negative indexes and extra fields, naming the field', () => {
    assert.throws(() => parseSessionPageMessage({ type: 'approve', id: 'a1', decision: 'allow_always' }), /decision/);
    assert.throws(() => parseSessionPageMessage({ type: 'open-diff', index: -1, path: 'a' }), /index/);
    assert.throws(() => parseSessionPageMessage({ type: 'stop', force: true }), /force|Unrecognized/);
    assert.throws(() => parseSessionPageMessage({ type: 'export', to: 'printer' }), /to/);
  });
});

describe('Session page: streamed markdown in blocks', () => {
  it('finds where finished blocks end: the last blank line outside a code fence', () => {
    assert.equal(finishedBlocks('one paragraph still being writ', 0), 0);
    assert.equal(finishedBlocks('done.\n\nnext one', 0), 7);
    // A blank line inside an open fence is no boundary: the block before the fence is.
    const open = 'intro\n\n```ts\nconst a = 1;\n\nconst b';
    assert.equal(finishedBlocks(open, 0), 7);
    const closed = open + ' = 2;\n' + '```' + '\n\n';
    assert.equal(finishedBlocks(closed + 'after', 0), closed.length);
    // Counted from where the drawn part ends.
    assert.equal(finishedBlocks('a\n\nb\n\nc', 3), 6);
    assert.equal(finishedBlocks('a\n\nb', 3), 3);
  });
});
