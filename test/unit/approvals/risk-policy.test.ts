import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_APPROVAL_POLICY, loadApprovalPolicyFile, parseApprovalPolicy } from '../../../src/approvals/policy';
import { escalationRisk, sessionRisk } from '../../../src/approvals/risk';
import { useTempDir } from '../store/temp-dir';
import { withoutZodLocale } from '../webviews/without-zod-locale';

describe('approvals: risk matrix', () => {
  const cases: Array<[string, Parameters<typeof sessionRisk>[0], string]> = [
    ['full access + never + ci', { sandbox: 'danger-full-access', approvalPolicy: 'never', mode: 'ci', interactive: true }, 'critical'],
    ['full access + never + headless without prompter', { sandbox: 'danger-full-access', approvalPolicy: 'never', interactive: false }, 'critical'],
    ['full access + never, interactive', { sandbox: 'danger-full-access', approvalPolicy: 'never', interactive: true }, 'high'],
    ['full access + on-request', { sandbox: 'danger-full-access', approvalPolicy: 'on-request', interactive: true }, 'high'],
    ['workspace-write', { sandbox: 'workspace-write', approvalPolicy: 'on-request', interactive: true }, 'medium'],
    ['read-only + never', { sandbox: 'read-only', approvalPolicy: 'never', interactive: true }, 'medium'],
    ['read-only + ci', { sandbox: 'read-only', approvalPolicy: 'untrusted', mode: 'ci', interactive: true }, 'medium'],
    ['read-only + non-interactive', { sandbox: 'read-only', mode: 'non-interactive', interactive: true }, 'medium'],
    ['read-only, headless', { sandbox: 'read-only', approvalPolicy: 'on-request', interactive: false }, 'medium'],
    ['read-only with approvals', { sandbox: 'read-only', approvalPolicy: 'on-request', interactive: true }, 'low'],
  ];
  for (const [name, input, want] of cases) it(`${name} = ${want}`, () => assert.equal(sessionRisk(input), want));

  it('escalations are at least medium, high in a high or critical session', () => {
    assert.equal(escalationRisk({ sandbox: 'read-only', approvalPolicy: 'on-request', interactive: true }), 'medium');
    assert.equal(escalationRisk({ sandbox: 'workspace-write', interactive: true }), 'medium');
    assert.equal(escalationRisk({ sandbox: 'danger-full-access', interactive: true }), 'high');
    assert.equal(escalationRisk({ sandbox: 'danger-full-access', approvalPolicy: 'never', mode: 'ci', interactive: true }), 'high');
  });
});

describe('approvals: policy', () => {
  const tempDir = useTempDir('cg-approvals-');
  it('defaults: low on, medium off, high off, ci needs a person, 5 minutes', () => {
    assert.deepEqual(parseApprovalPolicy(undefined), DEFAULT_APPROVAL_POLICY);
    assert.equal(DEFAULT_APPROVAL_POLICY.timeoutSeconds, 300);
    assert.equal(DEFAULT_APPROVAL_POLICY.autoApproveLow, true);
    assert.equal(DEFAULT_APPROVAL_POLICY.autoApproveHigh, false);
    assert.equal(DEFAULT_APPROVAL_POLICY.requirePersonForCi, true);
  });

  it('high cannot be turned on without the confirmation', () => {
    assert.throws(() => parseApprovalPolicy({ autoApproveHigh: true }), (e: Error & { field?: string }) => e.field === 'autoApproveHigh' && /confirmAutoApproveHigh: true/.test(e.message));
    assert.equal(parseApprovalPolicy({ autoApproveHigh: true, confirmAutoApproveHigh: true }).autoApproveHigh, true);
  });

  it('names the bad key and the allowed ones', () => {
    assert.throws(() => parseApprovalPolicy({ autoApproveMedum: true }, 'policy.json'), /policy\.json: autoApproveMedum.*Allowed keys: autoApproveLow/);
    assert.throws(() => parseApprovalPolicy({ timeoutSeconds: 0 }), (e: Error & { field?: string }) => e.field === 'timeoutSeconds');
    assert.throws(() => parseApprovalPolicy({ autoApproveLow: 'yes' }), (e: Error & { field?: string }) => e.field === 'autoApproveLow');
  });

  it('says what is wrong in English even with no zod locale loaded (as in the extension bundle)', () => {
    withoutZodLocale(() => {
      assert.throws(() => parseApprovalPolicy({ timeoutSeconds: 0 }, 'settings'), /^ValidationError: settings: timeoutSeconds: Too small: expected number to be >=0\.01\. Allowed keys/);
      assert.throws(() => parseApprovalPolicy({ autoApproveLow: 'yes' }), /autoApproveLow: Invalid input: expected boolean, received string\./);
      assert.throws(() => parseApprovalPolicy({ a: 1, b: 2 }), (e: Error & { field?: string }) => e.field === 'a, b' && /a, b: Unrecognized keys: "a", "b"/.test(e.message));
    });
  });

  it('loads a JSON file and reports a missing or broken one by path', async () => {
    const dir = tempDir();
    const file = join(dir, 'policy.json');
    await writeFile(file, JSON.stringify({ autoApproveMedium: true, timeoutSeconds: 5 }));
    assert.deepEqual(await loadApprovalPolicyFile(file), { ...DEFAULT_APPROVAL_POLICY, autoApproveMedium: true, timeoutSeconds: 5 });
    await assert.rejects(loadApprovalPolicyFile(join(dir, 'missing.json')), /missing\.json \(ENOENT\).*--approval-policy-file/);
    await writeFile(file, '{nope');
    await assert.rejects(loadApprovalPolicyFile(file), /policy\.json is not valid JSON/);
  });
});
