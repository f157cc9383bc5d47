import assert from 'node:assert/strict';
import { channelLogger, type LogSink } from '../../../src/vscode/log';

function recordingSink() {
  const lines: [string, string][] = [];
  const sink: LogSink = {
    debug: (m) => lines.push(['debug', m]),
    info: (m) => lines.push(['info', m]),
    warn: (m) => lines.push(['warn', m]),
    error: (m) => lines.push(['error', m]),
  };
  return { lines, sink };
}

describe('log channel adapter', () => {
  it('writes each level to the same level of the channel', () => {
    const { lines, sink } = recordingSink();
    const log = channelLogger(sink);
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    assert.deepEqual(lines, [['debug', 'd'], ['info', 'i'], ['warn', 'w'], ['error', 'e']]);
  });

  it('masks bearer tokens in messages, extra arguments and error stacks', () => {
    const { lines, sink } = recordingSink();
    const log = channelLogger(sink);
    const secret = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde';
    log.info(`request with Authorization: Bearer ${secret}`, { token: secret });
    log.error(new Error(`failed for Bearer ${secret}`));
    assert.equal(lines.length, 2);
    for (const [, line] of lines) assert.ok(!line.includes(secret), line);
    assert.match(lines[0]?.[1] ?? '', /^request with Authorization: \S*\*\*\*\*/);
    assert.match(lines[1]?.[1] ?? '', /^Error: failed for Bearer \*\*\*\*\n\s+at /);
  });
});
