import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { AuditSeal, sameMac } from './audit-seal.js';
import type { CheckpointedHead, TrailHead, TrailProblem } from './audit-trail.js';
import { canonicalJson } from './hash-chain.js';

/**
 * Signed checkpoints of CAR heads, kept apart from the store (a file outside the data folder
 * in local mode, a list of its own in SharePoint). Each checkpoint names a CAR, the number
 * and MAC of its last entry, and when; it is signed with the audit key. Someone who can
 * rewrite the store can cut a trail back to an earlier entry with the record as it was then;
 * the checkpoint still remembers the later entry, and `audit:verify` reports the cut.
 */

export interface Checkpoint extends CheckpointedHead {
  readonly store: string;
  readonly carId: string;
}

const CheckpointSchema = z.object({
  v: z.literal(1),
  store: z.string().min(1),
  carId: z.string().min(1),
  seq: z.number().int().min(1),
  mac: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.string(),
});

/** One checkpoint as stored: its text and the signature over that text. */
export interface SignedCheckpoint {
  readonly text: string;
  readonly sig: string;
}

export function signCheckpoint(
  seal: AuditSeal,
  store: string,
  carId: string,
  head: TrailHead,
  at: string,
): SignedCheckpoint {
  const text = canonicalJson({ v: 1, store, carId, seq: head.seq, mac: head.mac, at });
  return { text, sig: seal.checkpointMac(text) };
}

/**
 * The latest checkpoint of every CAR of `store`, and the problems of lines that do not hold
 * (a forged checkpoint is reported, never trusted).
 */
export function latestCheckpoints(
  seal: AuditSeal,
  store: string,
  signed: Iterable<SignedCheckpoint>,
): { readonly heads: Map<string, Checkpoint>; readonly problems: TrailProblem[] } {
  const heads = new Map<string, Checkpoint>();
  const problems: TrailProblem[] = [];
  for (const line of signed) {
    let parsed: Checkpoint | null = null;
    try {
      const result = CheckpointSchema.safeParse(JSON.parse(line.text));
      if (result.success) parsed = result.data;
    } catch {
      parsed = null;
    }
    if (!parsed || !sameMac(seal.checkpointMac(line.text), line.sig)) {
      problems.push({
        carId: parsed?.carId ?? '?',
        sequence: parsed?.seq ?? null,
        kind: 'checkpoint_forged',
        detail: 'a checkpoint does not match its signature',
      });
      continue;
    }
    if (parsed.store !== store) continue;
    const before = heads.get(parsed.carId);
    if (!before || before.seq <= parsed.seq) heads.set(parsed.carId, parsed);
  }
  return { heads, problems };
}

/**
 * The checkpoint file of one local store: one line per CAR write, `<text>\t<signature>`,
 * appended after the write committed (so it may lag a crash, never run ahead of the store).
 */
export class CheckpointFile {
  constructor(
    readonly file: string,
    private readonly seal: AuditSeal,
  ) {}

  /** The file of store `store` in `dir`. */
  static inDirectory(dir: string, store: string, seal: AuditSeal): CheckpointFile {
    if (!/^[0-9a-zA-Z-]{1,64}$/.test(store)) throw new Error(`not a store id: ${store}`);
    return new CheckpointFile(join(dir, `${store}.checkpoints`), seal);
  }

  append(store: string, carId: string, head: TrailHead, at: string): void {
    const line = signCheckpoint(this.seal, store, carId, head, at);
    if (!existsSync(dirname(this.file))) mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, `${line.text}\t${line.sig}\n`, 'utf8');
  }

  /** Every line of the file (none when there is no file yet). */
  read(): SignedCheckpoint[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const tab = l.lastIndexOf('\t');
        return tab < 0 ? { text: l, sig: '' } : { text: l.slice(0, tab), sig: l.slice(tab + 1) };
      });
  }
}
