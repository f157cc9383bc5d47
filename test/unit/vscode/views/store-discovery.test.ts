import assert from 'node:assert/strict';
import { collectDiscovery, parseTags, validateSummary, validateTags, type DiscoveryPrompts } from '../../../../src/vscode/views/store-discovery';

/** Answers the prompts in order; records what each prompt showed and what its validator said. */
function scripted(answers: (string | undefined)[]): DiscoveryPrompts & { asked: string[]; validation: (string | undefined)[] } {
  const asked: string[] = [];
  const validation: (string | undefined)[] = [];
  return {
    asked,
    validation,
    input(o) {
      asked.push(o.prompt);
      const a = answers.shift();
      if (a !== undefined) validation.push(o.validate?.(a));
      return Promise.resolve(a);
    },
    pick(o) {
      asked.push(`pick: ${o.items.join(',')}`);
      return Promise.resolve(answers.shift());
    },
  };
}

describe('views: Store Discovery dialogue', () => {
  it('asks summary, type, details and tags and builds the request (tags trimmed and de-duplicated)', async () => {
    const p = scripted(['  Cache misses on cold start ', 'bug_found', ' seen twice ', 'cache, perf ,cache,']);
    assert.deepEqual(await collectDiscovery(p), { summary: 'Cache misses on cold start', discoveryType: 'bug_found', details: 'seen twice', tags: ['cache', 'perf'] });
    assert.equal(p.asked.length, 4);
    assert.match(p.asked[1]!, /^pick: insight,bug_found,/);
    assert.deepEqual(p.validation, [undefined, undefined, undefined]);
  });

  it('stops without a request when any step is cancelled', async () => {
    assert.equal(await collectDiscovery(scripted([undefined])), undefined);
    assert.equal(await collectDiscovery(scripted(['ok', undefined])), undefined);
    assert.equal(await collectDiscovery(scripted(['ok', 'note', ''])), undefined);
  });

  it('explains an empty or too long summary and too many or too long tags', () => {
    assert.match(validateSummary('   ')!, /summary is required/);
    assert.match(validateSummary('x'.repeat(1001))!, /1001 characters; at most 1000/);
    assert.equal(validateSummary('fine'), undefined);
    assert.match(validateTags(Array.from({ length: 51 }, (_, i) => `t${i}`).join(','))!, /51 tags; at most 50/);
    assert.match(validateTags(`ok, ${'y'.repeat(101)}`)!, /longer than 100 characters/);
    assert.deepEqual(parseTags(' , ,'), []);
  });
});
