/** Risk-based approvals (issue 4): risk matrix, policy, the broker and the prompters without VS Code. */
export * from './risk';
export * from './policy';
export * from './types';
export * from './broker';
export * from './prompters';
