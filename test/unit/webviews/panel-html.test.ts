import assert from 'node:assert/strict';
import { panelCsp, panelHtml, STRICT_CSP } from '../../../src/vscode/panels/panel-html';

describe('panel page HTML', () => {
  const input = { cspSource: 'https://abc.vscode-cdn.net', scriptUri: 'https://abc.vscode-cdn.net/ext/media/dist/knowledge-graph.js', styleUri: 'https://abc.vscode-cdn.net/ext/media/dist/knowledge-graph.css', title: 'Knowledge <Graph>' };

  function csp(html: string): Map<string, string> {
    const content = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    assert.ok(content, 'a CSP meta tag');
    return new Map(content.split('; ').map((d) => [d.split(' ')[0]!, d.slice(d.indexOf(' ') + 1)]));
  }

  it('allows scripts only with the nonce, and fonts, images and styles only from the extension', () => {
    const html = panelHtml({ ...input, nonce: 'bm9uY2Vub25jZW5vbmNlMQ==' });
    const policy = csp(html);
    assert.equal(policy.get('default-src'), "'none'");
    assert.equal(policy.get('script-src'), "'nonce-bm9uY2Vub25jZW5vbmNlMQ=='");
    assert.equal(policy.get('style-src'), "https://abc.vscode-cdn.net 'nonce-bm9uY2Vub25jZW5vbmNlMQ=='");
    assert.equal(policy.get('font-src'), 'https://abc.vscode-cdn.net');
    assert.equal(policy.get('img-src'), 'https://abc.vscode-cdn.net data:');
    assert.ok(!html.includes('unsafe-inline') && !html.includes('unsafe-eval'));
    assert.deepEqual([...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]), [` nonce="bm9uY2Vub25jZW5vbmNlMQ==" src="${input.scriptUri}"`]);
    assert.match(html, /<link id="vscode-codicon-stylesheet" rel="stylesheet" href="https:\/\/abc\.vscode-cdn\.net\/ext\/media\/dist\/knowledge-graph\.css"/);
    assert.match(html, /<title>Knowledge &lt;Graph&gt;<\/title>/);
  });

  it('uses a fresh 128-bit nonce per page load', () => {
    const nonces = [panelHtml(input), panelHtml(input)].map((h) => /script-src 'nonce-([^']+)'/.exec(h)?.[1]);
    assert.notEqual(nonces[0], nonces[1]);
    assert.equal(Buffer.from(nonces[0]!, 'base64').length, 16);
  });
});

describe('panel page HTML: the strict policy (MCP Servers settings)', () => {
  const input = { cspSource: 'https://abc.vscode-cdn.net', scriptUri: 'https://abc.vscode-cdn.net/ext/media/dist/mcp-settings.js', styleUri: 'https://abc.vscode-cdn.net/ext/media/dist/mcp-settings.css', title: 'MCP Servers' };

  it('allows no data: images and no style nonce; scripts still need the nonce', () => {
    const html = panelHtml({ ...input, nonce: 'bm9uY2Vub25jZW5vbmNlMg==', csp: STRICT_CSP });
    const content = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.deepEqual(content.split('; '), [
      "default-src 'none'",
      'img-src https://abc.vscode-cdn.net',
      'style-src https://abc.vscode-cdn.net',
      "script-src 'nonce-bm9uY2Vub25jZW5vbmNlMg=='",
      'font-src https://abc.vscode-cdn.net',
    ]);
    assert.ok(!html.includes('data:'));
    assert.match(html, /<link id="vscode-codicon-stylesheet" rel="stylesheet" href="https:\/\/abc\.vscode-cdn\.net\/ext\/media\/dist\/mcp-settings\.css">/);
    assert.match(html, /<script nonce="bm9uY2Vub25jZW5vbmNlMg==" src=/);
  });

  it('each option on its own', () => {
    assert.deepEqual(panelCsp('S', 'N', { dataImages: false }).slice(1, 3), ['img-src S', "style-src S 'nonce-N'"]);
    assert.deepEqual(panelCsp('S', 'N', { styleNonce: false }).slice(1, 3), ['img-src S data:', 'style-src S']);
    assert.deepEqual(panelCsp('S', 'N').slice(1, 3), ['img-src S data:', "style-src S 'nonce-N'"]);
  });
});
