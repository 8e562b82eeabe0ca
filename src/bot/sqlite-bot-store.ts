import type { Database } from 'better-sqlite3';
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

/** The bot's own records in the embedded store: processed card actions, conversation references. */
export class SqliteBotStore {
  private readonly processed;
  private readonly markStmt;
  private readonly upsertRef;
  private readonly refsOfTenant;

  constructor(private readonly db: Database) {
    this.processed = db.prepare<[string], { car_id: string | null }>(
      'SELECT car_id FROM bot_processed_invokes WHERE invoke_key = ?',
    );
    this.markStmt = db.prepare<[string, string | null, string]>(
      'INSERT OR IGNORE INTO bot_processed_invokes (invoke_key, car_id, at) VALUES (?, ?, ?)',
    );
    this.upsertRef = db.prepare<[string, string, string, string, string, string, string, string]>(
      `INSERT INTO bot_conversation_refs
         (tenant_id, aad_object_id, user_mri, user_name, conversation_id, service_url, bot_id, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, aad_object_id) DO UPDATE SET
         user_mri = excluded.user_mri, user_name = excluded.user_name,
         conversation_id = excluded.conversation_id, service_url = excluded.service_url,
         bot_id = excluded.bot_id, updated_at = excluded.updated_at`,
    );
    this.refsOfTenant = db.prepare<
      [string],
      {
        aad_object_id: string;
        user_mri: string;
        user_name: string;
        conversation_id: string;
        service_url: string;
        bot_id: string;
      }
    >(
      `SELECT aad_object_id, user_mri, user_name, conversation_id, service_url, bot_id
         FROM bot_conversation_refs WHERE tenant_id = ? ORDER BY user_name LIMIT 500`,
    );
  }

  /** Whether this card action (invoke id + verb) already changed state. */
  wasProcessed(key: string): boolean {
    return this.processed.get(key) !== undefined;
  }

  markProcessed(key: string, carId: string | null, at: string): void {
    this.markStmt.run(key, carId, at);
  }

  saveConversationRef(ref: ConversationRef, at: string): void {
    this.upsertRef.run(
      ref.tenantId,
      ref.aadObjectId,
      ref.userMri,
      ref.userName,
      ref.conversationId,
      ref.serviceUrl,
      ref.botId,
      at,
    );
  }

  conversationRefs(tenantId: string): ConversationRef[] {
    return this.refsOfTenant.all(tenantId).map((r) => ({
      tenantId,
      aadObjectId: r.aad_object_id,
      userMri: r.user_mri,
      userName: r.user_name,
      conversationId: r.conversation_id,
      serviceUrl: r.service_url,
      botId: r.bot_id,
    }));
  }

  /** The latest personal conversation with a person, in whichever allowed tenant. */
  conversationRefOf(aadObjectId: string): ConversationRef | undefined {
    const r = this.db
      .prepare<
        [string],
        {
          tenant_id: string;
          user_mri: string;
          user_name: string;
          conversation_id: string;
          service_url: string;
          bot_id: string;
        }
      >(
        `SELECT tenant_id, user_mri, user_name, conversation_id, service_url, bot_id
           FROM bot_conversation_refs WHERE aad_object_id = ? ORDER BY updated_at DESC LIMIT 1`,
      )
      .get(aadObjectId);
    return r
      ? {
          tenantId: r.tenant_id,
          aadObjectId,
          userMri: r.user_mri,
          userName: r.user_name,
          conversationId: r.conversation_id,
          serviceUrl: r.service_url,
          botId: r.bot_id,
        }
      : undefined;
  }

  /** The people who talked to the bot: the pickable owners and consultees in production. */
  knownPeople(tenantId: string): PersonRef[] {
    return this.conversationRefs(tenantId).map((r) => ({ id: r.aadObjectId, name: r.userName }));
  }
}
