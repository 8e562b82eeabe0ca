import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditConfig } from '../../config.js';

/**
 * The key that authenticates the audit trail (HMAC-SHA256, RFC 2104). The store never holds
 * it: whoever can write the database or the SharePoint lists but not the key cannot append,
 * rewrite or re-chain an entry without `audit:verify` seeing it. In production the key comes
 * from configuration (AUDIT_KEY, e.g. an App Service setting that references a Key Vault
 * secret: https://learn.microsoft.com/azure/app-service/app-service-key-vault-references);
 * locally from a key file outside the data folder, created on first start.
 */
export class AuditSeal {
  /** Names the key in every entry, so that a trail sealed with another key says so. */
  readonly keyId: string;

  private constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new Error('the audit key must be at least 32 bytes');
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  static fromKey(key: Buffer): AuditSeal {
    return new AuditSeal(Buffer.from(key));
  }

  /** AUDIT_KEY as configured: 64+ hex digits, or base64 of 32+ bytes. */
  static fromText(text: string): AuditSeal {
    const trimmed = text.trim();
    const key = /^[0-9a-fA-F]{64,}$/.test(trimmed)
      ? Buffer.from(trimmed, 'hex')
      : Buffer.from(trimmed, 'base64');
    return new AuditSeal(key);
  }

  /**
   * The key file, created with 32 random bytes (owner-only) when `create` and it is missing.
   */
  static fromFile(file: string, options: { create: boolean }): AuditSeal {
    if (!existsSync(file)) {
      if (!options.create) throw new Error(`no audit key file at ${file}`);
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
    }
    return AuditSeal.fromText(readFileSync(file, 'utf8'));
  }

  /** The MAC of an audit entry: over its exact stored text. */
  entryMac(text: string): string {
    return this.hmac('rectify.audit.entry.v2', text);
  }

  /** The signature of a checkpoint line: over its exact stored text. */
  checkpointMac(text: string): string {
    return this.hmac('rectify.audit.checkpoint.v1', text);
  }

  private hmac(purpose: string, text: string): string {
    return createHmac('sha256', this.key)
      .update(`${purpose}\n`, 'utf8')
      .update(text, 'utf8')
      .digest('hex');
  }
}

/** Compares two hex MACs in constant time. */
export function sameMac(a: string, b: string): boolean {
  if (a.length !== b.length || !/^[0-9a-f]*$/.test(a) || !/^[0-9a-f]*$/.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/** SHA-256 of a stored text, as hex: what an entry says the record looked like. */
export const digestOf = (text: string): string =>
  createHash('sha256').update(text, 'utf8').digest('hex');

/** The seal the configuration names (AUDIT_KEY, else the key file). */
export function sealFor(audit: AuditConfig): AuditSeal {
  return audit.key.kind === 'text'
    ? AuditSeal.fromText(audit.key.text)
    : AuditSeal.fromFile(audit.key.file, { create: audit.key.create });
}
