import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { StateRecord, StateStore } from '../application/ports/state-store.js';
import type { PersonRef } from '../domain/identity.js';

/** Where to reach a person proactively, learnt from their last personal conversation. */
export interface ConversationRef {
  readonly tenantId: string;
  readonly aadObjectId: string;
  readonly userMri: string;
  readonly userName: string;
  readonly conversationId: string;
  readonly serviceUrl: string;
  readonly botId: string;
}

/** The bot's own records: processed card actions and conversation references. */
export interface BotStore {
  /** Whether this card action (invoke id + verb) already changed state. */
  wasProcessed(key: string): Promise<boolean>;
  markProcessed(key: string, carId: string | null, at: string): Promise<void>;
  saveConversationRef(ref: ConversationRef, at: string): Promise<void>;
  /** The latest personal conversation with a person, in whichever allowed tenant. */
  conversationRefOf(aadObjectId: string): Promise<ConversationRef | undefined>;
  /** The conversations of a tenant (at most 500), by name. */
  conversationRefs(tenantId: string): Promise<ConversationRef[]>;
  /** The people who talked to the bot: the pickable owners and consultees in production. */
  knownPeople(tenantId: string): Promise<PersonRef[]>;
}

const INVOKE_KIND = 'bot.invoke';
const REF_KIND = 'bot.ref';
const MAX_PEOPLE = 500;
const PAGE = 200;
const MAX_SAVE_ATTEMPTS = 4;
const MAX_REMEMBERED = 5000;

const StoredRefSchema = z.object({
  tenantId: z.string(),
  aadObjectId: z.string(),
  userMri: z.string(),
  userName: z.string(),
  conversationId: z.string(),
  serviceUrl: z.string(),
  botId: z.string(),
  updatedAt: z.string(),
});
type StoredRef = z.infer<typeof StoredRefSchema>;

/** Invoke keys come from Teams (activity id + verb): hashed, so any length and case fit. */
const invokeKey = (key: string): string =>
  `bot.invoke:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
/** By person first, so that a person's references in every tenant are one prefix. */
const refKey = (aadObjectId: string, tenantId: string): string =>
  `bot.ref:${aadObjectId}:${tenantId}`;

const refOf = (r: ConversationRef): ConversationRef => ({
  tenantId: r.tenantId,
  aadObjectId: r.aadObjectId,
  userMri: r.userMri,
  userName: r.userName,
  conversationId: r.conversationId,
  serviceUrl: r.serviceUrl,
  botId: r.botId,
});

const sameRef = (a: StoredRef, b: ConversationRef): boolean =>
  a.userMri === b.userMri &&
  a.userName === b.userName &&
  a.conversationId === b.conversationId &&
  a.serviceUrl === b.serviceUrl &&
  a.botId === b.botId;

function storedRefOf(record: StateRecord): StoredRef {
  const parsed = StoredRefSchema.safeParse(record.value);
  if (!parsed.success)
    throw new Error(`state record ${record.key} is not a conversation reference`);
  return parsed.data;
}

/**
 * The bot's records in the shared StateStore: the SQLite file in local mode, the SharePoint
 * site in SharePoint mode (so every instance behind a load balancer sees the same).
 * A conversation reference is written only when it changed, not on every activity.
 */
export class StateBotStore implements BotStore {
  /** References this instance saw stored, so that an unchanged one costs no read. */
  private readonly saved = new Map<string, string>();

  constructor(private readonly store: StateStore) {}

  async wasProcessed(key: string): Promise<boolean> {
    return (await this.store.get(invokeKey(key))) !== null;
  }

  async markProcessed(key: string, carId: string | null, at: string): Promise<void> {
    await this.store.createIfAbsent({
      key: invokeKey(key),
      kind: INVOKE_KIND,
      value: { carId, at },
      dueAt: null,
    });
  }

  async saveConversationRef(ref: ConversationRef, at: string): Promise<void> {
    const key = refKey(ref.aadObjectId, ref.tenantId);
    const fingerprint = JSON.stringify(refOf(ref));
    if (this.saved.get(key) === fingerprint) return;
    const value: StoredRef = { ...refOf(ref), updatedAt: at };
    for (let attempt = 1; attempt <= MAX_SAVE_ATTEMPTS; attempt += 1) {
      if (await this.trySave(key, ref, value)) {
        if (this.saved.size >= MAX_REMEMBERED) this.saved.clear();
        this.saved.set(key, fingerprint);
        return;
      }
    }
    throw new Error(`the conversation reference of ${ref.aadObjectId} keeps changing`);
  }

  private async trySave(key: string, ref: ConversationRef, value: StoredRef): Promise<boolean> {
    const current = await this.store.get(key);
    if (!current) {
      const { created, record } = await this.store.createIfAbsent({
        key,
        kind: REF_KIND,
        value,
        dueAt: null,
      });
      return created || sameRef(storedRefOf(record), ref);
    }
    if (sameRef(storedRefOf(current), ref)) return true;
    return (await this.store.replace(key, current.etag, { value, dueAt: null })) !== null;
  }

  async conversationRefOf(aadObjectId: string): Promise<ConversationRef | undefined> {
    const records = await this.store.list(REF_KIND, {
      prefix: `bot.ref:${aadObjectId}:`,
      limit: 50,
    });
    const latest = records
      .map(storedRefOf)
      .filter((r) => r.aadObjectId === aadObjectId)
      .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0))[0];
    return latest ? refOf(latest) : undefined;
  }

  async conversationRefs(tenantId: string): Promise<ConversationRef[]> {
    const refs: StoredRef[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.store.list(REF_KIND, {
        prefix: 'bot.ref:',
        limit: PAGE,
        ...(after === undefined ? {} : { after }),
      });
      for (const record of page) {
        const r = storedRefOf(record);
        if (r.tenantId === tenantId) refs.push(r);
      }
      if (page.length < PAGE) break;
      after = page.at(-1)?.key;
    }
    return refs
      .sort((a, b) => (a.userName < b.userName ? -1 : a.userName > b.userName ? 1 : 0))
      .slice(0, MAX_PEOPLE)
      .map(refOf);
  }

  async knownPeople(tenantId: string): Promise<PersonRef[]> {
    return (await this.conversationRefs(tenantId)).map((r) => ({
      id: r.aadObjectId,
      name: r.userName,
    }));
  }
}
