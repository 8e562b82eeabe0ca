import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { LOCAL_TENANT_ID } from '../../src/infrastructure/auth/sample-people.js';
import { people, type Who } from '../support/rectify-harness.js';

/** A card as JSON, for assertions. */
export interface CardJson {
  readonly type: string;
  readonly version?: string;
  readonly body?: readonly Record<string, unknown>[];
  readonly actions?: readonly Record<string, unknown>[];
  readonly refresh?: {
    readonly action: Record<string, unknown>;
    readonly userIds: readonly string[];
  };
}

export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** A stand-in for the Bot Connector service on loopback: records what the bot sends. */
export interface FakeConnector {
  readonly url: string;
  readonly calls: RecordedCall[];
  /** Cards the bot posted to a conversation in answer to messages, in order. */
  cardsSentTo(conversationId: string): CardJson[];
  /** Proactive notifications posted to a conversation, in order. */
  notificationsTo(conversationId: string): CardJson[];
  close(): Promise<void>;
}

export async function startConnector(): Promise<FakeConnector> {
  const calls: RecordedCall[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      calls.push({
        method: req.method ?? '',
        path: req.url ?? '',
        body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {},
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: randomUUID() }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    cardsSentTo: (conversationId) => cardsOf(conversationId, false),
    notificationsTo: (conversationId) => cardsOf(conversationId, true),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };

  function cardsOf(conversationId: string, notifications: boolean): CardJson[] {
    const prefix = `/v3/conversations/${conversationId}/activities`;
    return calls
      .filter((c) => c.method === 'POST' && decodeURIComponent(c.path).startsWith(prefix))
      .filter((c) => isNotification(c.body) === notifications)
      .flatMap(
        (c) =>
          (c.body.attachments as { contentType: string; content: CardJson }[] | undefined) ?? [],
      )
      .filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')
      .map((a) => a.content);
  }
}

const isNotification = (body: Record<string, unknown>): boolean =>
  (body.channelData as { notification?: { alert?: boolean } } | undefined)?.notification?.alert ===
  true;

/** Waits until `check` holds, or fails after `ms`. */
export async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const BOT = { id: '28:rectify-bot', name: 'Rectify' };
export const conversationOf = (who: Who): string => `a:personal-${who}`;
export const mriOf = (who: Who): string => `29:mri-${who}`;

/** The envelope Teams puts around every activity to a bot in a personal chat. */
export function envelope(
  who: Who,
  serviceUrl: string,
  tenantId = LOCAL_TENANT_ID,
): Record<string, unknown> {
  return {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: mriOf(who), name: people[who].name, aadObjectId: people[who].id },
    recipient: BOT,
    conversation: { id: conversationOf(who), conversationType: 'personal', tenantId },
    channelData: { tenant: { id: tenantId } },
    locale: 'en-GB',
  };
}

export const messageActivity = (who: Who, serviceUrl: string, text: string, tenantId?: string) => ({
  ...envelope(who, serviceUrl, tenantId),
  type: 'message',
  text,
});

export const invokeActivity = (
  who: Who,
  serviceUrl: string,
  verb: string,
  data: Record<string, unknown>,
  id?: string,
) => ({
  ...envelope(who, serviceUrl),
  ...(id ? { id } : {}),
  type: 'invoke',
  name: 'adaptiveCard/action',
  value: { action: { type: 'Action.Execute', verb, data } },
});

export const installActivity = (who: Who, serviceUrl: string) => ({
  ...envelope(who, serviceUrl),
  type: 'conversationUpdate',
  membersAdded: [BOT],
});

export interface BotReply {
  readonly status: number;
  readonly body: { statusCode?: number; type?: string; value?: CardJson } | undefined;
}

/** Posts an activity to the mounted bot, as the Bot Connector would. */
export async function post(rectifyUrl: string, activity: object): Promise<BotReply> {
  const res = await fetch(`${rectifyUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as BotReply['body']) : undefined };
}

// The `adaptivecards` package's ESM build imports without extensions; its UMD bundle runs in Node.
interface AcEvent {
  readonly message: string;
}
interface AdaptiveCardsModule {
  AdaptiveCard: new () => {
    parse(json: unknown, ctx: unknown): void;
    validateProperties(): { validationEvents: AcEvent[] };
  };
  SerializationContext: new () => { eventCount: number; getEventAt(i: number): AcEvent };
}
const AC = createRequire(import.meta.url)(
  'adaptivecards/dist/adaptivecards.js',
) as AdaptiveCardsModule;

/** Every problem the `adaptivecards` library finds when it parses and validates the card. */
export function cardProblems(card: unknown): string[] {
  const parsed = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  parsed.parse(card, ctx);
  const problems = Array.from({ length: ctx.eventCount }, (_, i) => ctx.getEventAt(i).message);
  return [...problems, ...parsed.validateProperties().validationEvents.map((e) => e.message)];
}

/** All the texts of a card (TextBlocks, facts, action titles), for assertions. */
export function textsOf(card: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k of ['text', 'title', 'value']) if (typeof o[k] === 'string') out.push(o[k]);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}

/** The verbs of every Action.Execute on the card, nested show-cards included. */
export function verbsOf(card: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'Action.Execute' && typeof o.verb === 'string') out.push(o.verb);
      Object.entries(o)
        .filter(([k]) => k !== 'refresh')
        .forEach(([, x]) => walk(x));
    }
  };
  walk(card);
  return out;
}

/** The data of the first Action.Execute with this verb. */
export function dataOf(card: unknown, verb: string): Record<string, string> {
  let found: Record<string, string> | undefined;
  const walk = (v: unknown): void => {
    if (found) return;
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'Action.Execute' && o.verb === verb) found = o.data as Record<string, string>;
      else Object.values(o).forEach(walk);
    }
  };
  walk(card);
  if (!found) throw new Error(`no ${verb} on the card`);
  return found;
}
