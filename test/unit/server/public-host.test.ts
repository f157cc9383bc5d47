/** Host/Origin checks with configured public host names (`serve --public-host`), never "any". */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { isAllowedHost, isAllowedOrigin, parsePublicHost } from '../../../src/server/http/security';
import { checkListenerOptions, isExposed } from '../../../src/server/http/exposure';

const req = (headers: Record<string, string>) => ({ headers }) as IncomingMessage;

describe('public host names', () => {
  it('parses NAME[:PORT] and refuses what is not a host, naming the flag', () => {
    assert.deepEqual(parsePublicHost('Gov.Example.com'), { name: 'gov.example.com', port: undefined });
    assert.deepEqual(parsePublicHost('gov.example.com:443'), { name: 'gov.example.com', port: 443 });
    assert.deepEqual(parsePublicHost('[2001:db8::1]:8443'), { name: '2001:db8::1', port: 8443 });
    for (const bad of ['', 'https://gov.example.com', 'a b', '*.example.com', 'x:0', 'user@host']) assert.throws(() => parsePublicHost(bad), /--public-host/, bad);
  });

  it('accepts Host naming a public host on its port (or the bound port, or none), and still refuses others', () => {
    const pub = [parsePublicHost('gov.example.com'), parsePublicHost('proxy.example.com:443')];
    assert.ok(isAllowedHost(req({ host: 'gov.example.com' }), '0.0.0.0', 8443, pub));
    assert.ok(isAllowedHost(req({ host: 'gov.example.com:8443' }), '0.0.0.0', 8443, pub));
    assert.ok(!isAllowedHost(req({ host: 'gov.example.com:9999' }), '0.0.0.0', 8443, pub));
    assert.ok(isAllowedHost(req({ host: 'proxy.example.com:443' }), '127.0.0.1', 8765, pub));
    assert.ok(!isAllowedHost(req({ host: 'proxy.example.com:8765' }), '127.0.0.1', 8765, pub));
    assert.ok(!isAllowedHost(req({ host: 'evil.example.com' }), '0.0.0.0', 8443, pub));
    assert.ok(isAllowedHost(req({ host: '127.0.0.1:8443' }), '0.0.0.0', 8443, pub), 'loopback still works');
    assert.ok(!isAllowedHost(req({ host: 'gov.example.com' }), '127.0.0.1', 8765), 'no public hosts: refused');
  });

  it('accepts an https Origin on a public host only', () => {
    const pub = [parsePublicHost('gov.example.com')];
    assert.ok(isAllowedOrigin(req({ origin: 'https://gov.example.com' }), pub));
    assert.ok(!isAllowedOrigin(req({ origin: 'http://gov.example.com' }), pub));
    assert.ok(!isAllowedOrigin(req({ origin: 'https://gov.example.com:8443' }), pub));
    assert.ok(!isAllowedOrigin(req({ origin: 'https://evil.example.com' }), pub));
  });

  it('exposure: loopback alone is not exposed; non-loopback or a public host is; the listener checks name the flags', () => {
    assert.equal(isExposed({ host: '127.0.0.1' }), false);
    assert.equal(isExposed({ host: '10.0.0.5' }), true);
    assert.equal(isExposed({ host: '127.0.0.1', publicHosts: [{ name: 'gov.example.com' }] }), true);
    assert.doesNotThrow(() => checkListenerOptions({ host: '::1' }));
    assert.throws(() => checkListenerOptions({ host: '10.0.0.5' }), /--allow-non-loopback/);
    assert.throws(() => checkListenerOptions({ host: '10.0.0.5', allowNonLoopback: true }), /--tls-cert FILE\.pem and --tls-key FILE\.pem/);
    assert.doesNotThrow(() => checkListenerOptions({ host: '10.0.0.5', allowNonLoopback: true, tls: { cert: 'c', key: 'k' } }), 'a specific address is its own Host name');
    assert.throws(() => checkListenerOptions({ host: '::', allowNonLoopback: true, tls: { cert: 'c', key: 'k' } }), /--public-host/);
  });
});
