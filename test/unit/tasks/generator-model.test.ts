/**
 * The generator's model failures go through the runner's explainer (src/agent/model-errors) and
 * keep the generator's own parts: its flags, "nothing was posted", its kinds and the Structured
 * Outputs hint of a rejected request. Against the fake Chat Completions API.
 */
import assert from 'node:assert/strict';
import { ModelCallError, requestGeneratedTasks } from '../../../src/tasks/generator-model';
import { chatScript, startFakeChatCompletions, type FakeChatAnswer } from '../../fakes/fake-chat-completions';

async function failure(answer: FakeChatAnswer, timeoutMs = 10_000): Promise<ModelCallError> {
  const fake = await startFakeChatCompletions({ reply: chatScript(answer, answer, answer) });
  try {
    await requestGeneratedTasks({ count: 2, today: '2030-01-01', apiKey: 'sk-unit', apiKeyEnv: 'MY_KEY', baseUrl: fake.baseUrl, model: 'gpt-unit', timeoutMs });
  } catch (err) {
    assert.ok(err instanceof ModelCallError, String(err));
    return err;
  } finally {
    await fake.close();
  }
  assert.fail('the call did not fail');
}

describe('task generator: model failures', function () {
  this.timeout(30_000);

  it('a 400 is bad_request with the Structured Outputs hint; 401 and 403 are auth naming the key variable', async () => {
    const bad = await failure({ status: 400, message: 'response_format is not supported' });
    assert.equal(bad.kind, 'bad_request');
    assert.match(bad.message, /rejected the request \(HTTP 400: response_format is not supported\); nothing was posted\. Check that --model \(gpt-unit\) supports Structured Outputs/);
    const auth = await failure({ status: 401, message: 'Incorrect API key provided.' });
    assert.equal(auth.kind, 'auth');
    assert.match(auth.message, /refused the API key from MY_KEY \(HTTP 401: Incorrect API key provided\.\); nothing was posted\. Set MY_KEY to a valid key, or name another variable with --api-key-env\.$/);
    const denied = await failure({ status: 403, message: 'no access' });
    assert.equal(denied.kind, 'auth');
    assert.match(denied.message, /Check the key in MY_KEY and its access to model gpt-unit\./);
  });

  it('its deadline is a timeout naming --timeout-seconds, and it never names --api (it has none)', async () => {
    const slow = await failure('hang', 1500);
    assert.equal(slow.kind, 'timeout');
    assert.match(slow.message, /did not answer within 1\.5 s; nothing was posted\. Raise --timeout-seconds/);
    const missing = await failure({ status: 404, message: 'The model `gpt-unit` does not exist' });
    assert.equal(missing.kind, 'not_found');
    assert.match(missing.message, /\/chat\/completions answered \(HTTP 404: .*\); nothing was posted\. Check that --base-url is an OpenAI-compatible API root .*that --model \(gpt-unit\) is a model it serves\.$/);
  });
});
