import { AuditSeal } from '../../src/infrastructure/audit/audit-seal.js';

/** The audit key of the tests: fixed, so that a store reopened in another process verifies. */
export const TEST_AUDIT_KEY = 'a5'.repeat(32);

export const testSeal = (): AuditSeal => AuditSeal.fromText(TEST_AUDIT_KEY);

/** What a SQLite repository of a test takes: the test key, and no checkpoints unless given. */
export const testAudit = (
  checkpointDir: string | null = null,
): { seal: AuditSeal; checkpointDir: string | null } => ({ seal: testSeal(), checkpointDir });
