import { randomUUID } from 'node:crypto';
import { reminderText, type Reminder } from '../application/ports/reminder.js';
import { MessageActivityInput } from '@microsoft/teams.api';
import { App, ExpressAdapter } from '@microsoft/teams.apps';
import type { IAdaptiveCard } from '@microsoft/teams.cards';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { CarService } from '../application/car-service.js';
import { CarListQuerySchema } from '../application/car-commands.js';
import type { Clock } from '../application/ports/clock.js';
import type { StoredCar } from '../domain/car/car-repository.js';
import { ERROR_CATALOGUE, isRectifyError } from '../domain/errors.js';
import { isManagementRepresentative, type PersonRef, type Principal } from '../domain/identity.js';
import { identify, rolesOf, type BotIdentityOptions } from './bot-identity.js';
import { parseCommand, type BotCommand } from './bot-commands.js';
import { CAR_VERB_COMMANDS, parseWith, reportFromCard, type CardData } from './card-commands.js';
import { CarTargetSchema, isCardVerb, type CarVerb, type CardVerb } from './card-verbs.js';
import { carCard, ownerCard, type CarCardInput } from './cards/car.card.js';
import { carListCard } from './cards/car-list.card.js';
import { consulteeCard } from './cards/consultee.card.js';
import { reportFormCard } from './cards/report-form.card.js';
import { messageCard, welcomeCard } from './cards/welcome.card.js';
import { REPORT_MESSAGE_COMMAND, prefillFromMessage } from './message-action.js';
import { pinoTeamsLogger } from './pino-teams-logger.js';
import { registerMessageExtension } from './message-extension.js';
import type {
  NotificationKind,
  Notification,
} from '../application/notifications/notification-rules.js';
import type { DeliveryOutcome } from './notifications/notification-worker.js';
import type { BotStore, ConversationRef } from './bot-store.js';

/** The SDK's App, with proactive sends to a stored conversation (any service URL). */
class RectifyApp extends App {
  async sendCardTo(ref: ConversationRef, card: IAdaptiveCard): Promise<void> {
    // Teams: channelData.notification.alert also raises it in the recipient's activity feed.
    const activity = new MessageActivityInput('', {
      channelData: { notification: { alert: true } },
    }).addCard('adaptive', card);
    await this.activitySender.send(activity, {
      serviceUrl: ref.serviceUrl,
      channelId: 'msteams',
      bot: { id: ref.botId, name: 'Rectify', role: 'bot' },
      conversation: {
        id: ref.conversationId,
        conversationType: 'personal',
        tenantId: ref.tenantId,
      },
      user: { id: ref.userMri, name: ref.userName, aadObjectId: ref.aadObjectId, role: 'user' },
    });
  }
}

export interface BotCredentials {
  readonly appId: string;
  readonly password: string;
  readonly tenantId: string | null;
}

export interface RectifyBotDeps {
  readonly carService: CarService;
  readonly store: BotStore;
  readonly identity: BotIdentityOptions;
  /** Null only in local mode: then the bot accepts unauthenticated activities (Agents Playground). */
  readonly credentials: BotCredentials | null;
  /** The people the MR can pick as owners and consultees (local mode: the sample people). */
  readonly directory: (tenantId: string) => Promise<readonly PersonRef[]>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where "Open in Rectify" on a message extension card goes (a Teams deep link). */
  readonly carLink?: ((idOrNumber: string) => string) | undefined;
}

type Notice = NonNullable<CarCardInput['notice']>;
type CardResponse = {
  statusCode: 200;
  type: 'application/vnd.microsoft.card.adaptive';
  value: IAdaptiveCard;
};

const cardResponse = (value: IAdaptiveCard): CardResponse => ({
  statusCode: 200,
  type: 'application/vnd.microsoft.card.adaptive',
  value,
});

const MAX_REFRESH_USERS = 60;

const NOTICES: Record<NotificationKind, Notice> = {
  reportReceived: { text: 'New report waiting for triage.', tone: 'good' },
  actionAssigned: { text: 'You have been given an action.', tone: 'good' },
  carStateChanged: { text: 'Your report moved on.', tone: 'good' },
  consulteeNamed: { text: 'You are consulted on this investigation.', tone: 'good' },
};

const problemText = (e: unknown): string =>
  isRectifyError(e) ? ERROR_CATALOGUE[e.code].title : 'Something went wrong; try again.';

/**
 * The Rectify bot: commands and card verbs, each a small function over the same CarService
 * as the REST API. Mounted on our Express app at /api/messages; never listens itself.
 */
export class RectifyBot {
  readonly app: RectifyApp;

  private constructor(
    private readonly deps: RectifyBotDeps,
    expressApp: Express,
  ) {
    const c = deps.credentials;
    this.app = new RectifyApp({
      httpServerAdapter: new ExpressAdapter(expressApp, { logger: pinoTeamsLogger(deps.logger) }),
      logger: pinoTeamsLogger(deps.logger),
      messagingEndpoint: '/api/messages',
      activity: { mentions: { stripText: true } },
      ...(c
        ? {
            clientId: c.appId,
            clientSecret: c.password,
            ...(c.tenantId ? { tenantId: c.tenantId } : {}),
          }
        : { dangerouslyAllowUnauthenticatedRequests: true }),
    });
    this.routes();
    this.messageActions();
    registerMessageExtension(this.app, {
      carService: deps.carService,
      identity: deps.identity,
      logger: deps.logger,
      carLink: deps.carLink,
    });
  }

  /** Creates the bot and adds POST /api/messages to the given Express app. */
  static async mount(expressApp: Express, deps: RectifyBotDeps): Promise<RectifyBot> {
    const bot = new RectifyBot(deps, expressApp);
    await bot.app.initialize();
    return bot;
  }

  private routes(): void {
    // The tenant allow-list, on every activity: Bot Framework tokens carry no tenant.
    this.app.use(async (ctx) => {
      const who = identify(ctx.activity, this.deps.identity);
      if (!who.ok && who.reason === 'tenant_not_allowed') {
        this.deps.logger.warn(
          { activityType: ctx.activity.type },
          'bot: activity from a tenant outside the allow-list refused',
        );
        return { status: 403 };
      }
      if (who.ok && ctx.activity.conversation.conversationType === 'personal')
        // The next activity saves it again: a store that is down must not refuse the activity.
        await this.deps.store
          .saveConversationRef(
            {
              tenantId: who.principal.tenantId,
              aadObjectId: who.principal.id,
              userMri: who.userMri,
              userName: who.principal.name,
              conversationId: ctx.activity.conversation.id,
              serviceUrl: ctx.activity.serviceUrl ?? '',
              botId: ctx.activity.recipient.id,
            },
            this.deps.clock.now().toISOString(),
          )
          .catch((err: unknown) => {
            this.deps.logger.warn({ err }, 'bot: conversation reference not saved');
          });
      return ctx.next();
    });

    this.app.on('conversationUpdate', async (ctx) => {
      const botId = ctx.activity.recipient.id;
      if ((ctx.activity.membersAdded ?? []).some((m) => m.id === botId))
        await ctx.send(welcomeCard());
    });

    this.app.on('message', async (ctx) => {
      const who = identify(ctx.activity, this.deps.identity);
      if (!who.ok) {
        await ctx.send(messageCard('Rectify', 'Rectify works with Microsoft Entra accounts only.'));
        return;
      }
      await ctx.send(await this.command(who.principal, parseCommand(stringOf(ctx.activity.text))));
    });

    this.app.on('card.action', async (ctx) => {
      const who = identify(ctx.activity, this.deps.identity);
      if (!who.ok)
        return cardResponse(
          messageCard('Rectify', 'Rectify works with Microsoft Entra accounts only.'),
        );
      const action = ctx.activity.value.action;
      const verb = action.verb;
      if (!isCardVerb(verb))
        return cardResponse(messageCard('Rectify', 'This card is no longer supported.'));
      const data = recordOf(action.data);
      return cardResponse(
        await this.cardAction(who.principal, verb, data, `${ctx.activity.id}:${verb}`),
      );
    });
  }

  /** "Report as ISMS event": a dialog with the form, pre-filled from the chat message. */
  private messageActions(): void {
    this.app.on('message.ext.open', (ctx) => {
      const who = identify(ctx.activity, this.deps.identity);
      if (!who.ok || ctx.activity.value.commandId !== REPORT_MESSAGE_COMMAND)
        return Promise.resolve(dialogMessage('Rectify cannot do that here.'));
      const prefill = prefillFromMessage(ctx.activity.value);
      return Promise.resolve(
        dialogCard(reportFormCard({ formId: randomUUID(), inDialog: true, ...prefill })),
      );
    });
    this.app.on('message.ext.submit', async (ctx) => {
      const who = identify(ctx.activity, this.deps.identity);
      if (!who.ok || ctx.activity.value.commandId !== REPORT_MESSAGE_COMMAND)
        return dialogMessage('Rectify cannot do that here.');
      const d = recordOf(ctx.activity.value.data);
      let parsed: ReturnType<typeof reportFromCard>;
      try {
        parsed = reportFromCard(d);
      } catch (e) {
        if (!isRectifyError(e)) throw e;
        return dialogCard(
          reportFormCard({
            formId: typeof d.formId === 'string' ? d.formId : randomUUID(),
            inDialog: true,
            problem: `${problemText(e)}: please complete the required fields.`,
            title: stringOf(d.title),
            description: stringOf(d.description),
          }),
        );
      }
      await this.deps.carService.report(who.principal, parsed.input, parsed.idempotencyKey);
      return dialogMessage('Thank you: your report reached the Management Representative.');
    });
  }

  // ── commands ────────────────────────────────────────────────────────────────

  private async command(p: Principal, cmd: BotCommand): Promise<IAdaptiveCard> {
    switch (cmd.name) {
      case 'report':
        return reportFormCard({ formId: randomUUID() });
      case 'myReports':
        return this.myReports(p);
      case 'status':
        return this.view(p, cmd.carNumber);
      case 'queue':
        return this.queue(p);
      case 'help':
        return welcomeCard();
      case 'unknown':
        return welcomeCard({ unknownCommand: cmd.text });
    }
  }

  private async myReports(p: Principal): Promise<IAdaptiveCard> {
    const page = await this.deps.carService.list(
      p,
      parseWith(CarListQuerySchema, {
        reporter: 'me',
        sort: 'reportedAt',
        order: 'desc',
        limit: 20,
      }),
    );
    const mine = page.items;
    return carListCard(
      'Your reports',
      mine.map(listItem),
      'You have not reported anything yet. Type "report" to start.',
    );
  }

  private async queue(p: Principal): Promise<IAdaptiveCard> {
    if (!isManagementRepresentative(p))
      return messageCard('Queue', 'The queue is for the Management Representative.');
    const page = await this.deps.carService.list(
      p,
      parseWith(CarListQuerySchema, {
        state: 'reported',
        sort: 'reportedAt',
        order: 'asc',
        limit: 20,
      }),
    );
    return carListCard(
      'Waiting for triage',
      page.items.map(listItem),
      'Nothing is waiting for triage.',
    );
  }

  // ── card actions ────────────────────────────────────────────────────────────

  private async cardAction(
    p: Principal,
    verb: CardVerb,
    d: CardData,
    invokeKey: string,
  ): Promise<IAdaptiveCard> {
    switch (verb) {
      case 'report.submit':
        return this.submitReport(p, d);
      case 'car.refresh': {
        const carId = typeof d.carId === 'string' ? d.carId : '';
        return this.view(p, carId);
      }
      default:
        return this.runCarVerb(p, verb, d, invokeKey);
    }
  }

  private async submitReport(p: Principal, d: CardData): Promise<IAdaptiveCard> {
    let parsed: ReturnType<typeof reportFromCard>;
    try {
      parsed = reportFromCard(d);
    } catch (e) {
      if (!isRectifyError(e)) throw e;
      return reportFormCard({
        formId: typeof d.formId === 'string' ? d.formId : randomUUID(),
        problem: `${problemText(e)}: please complete the required fields.`,
      });
    }
    const { stored } = await this.deps.carService.report(p, parsed.input, parsed.idempotencyKey);
    return await this.render(p, stored, {
      text: 'Thank you: your report reached the Management Representative.',
      tone: 'good',
    });
  }

  /**
   * One lifecycle verb: the caller's rights, the version on their card and the domain's rules
   * are all checked by CarService. A redelivered invoke or an out-of-date card changes nothing
   * and answers with the current card.
   */
  private async runCarVerb(
    p: Principal,
    verb: CarVerb,
    d: CardData,
    invokeKey: string,
  ): Promise<IAdaptiveCard> {
    let target;
    try {
      target = parseWith(CarTargetSchema, d);
    } catch (e) {
      if (!isRectifyError(e)) throw e;
      return messageCard('Rectify', 'This card is incomplete; open the CAR again with "status".');
    }
    if (await this.deps.store.wasProcessed(invokeKey)) return this.view(p, target.carId);
    try {
      const command = CAR_VERB_COMMANDS[verb](d, await this.person(p.tenantId));
      const stored = await this.deps.carService.execute(p, target.carId, target.etag, command);
      await this.deps.store.markProcessed(
        invokeKey,
        stored.car.id,
        this.deps.clock.now().toISOString(),
      );
      return await this.render(p, stored, { text: 'Saved.', tone: 'good' });
    } catch (e) {
      if (!isRectifyError(e)) throw e;
      if (e.code === 'CAR.NOT_FOUND')
        return messageCard('Rectify', ERROR_CATALOGUE['CAR.NOT_FOUND'].title);
      const notice: Notice =
        e.code === 'CAR.CONFLICT'
          ? {
              text: 'This card was out of date: here is the current state. Nothing was changed.',
              tone: 'warning',
            }
          : { text: `${problemText(e)}. Nothing was changed.`, tone: 'attention' };
      this.deps.logger.info({ code: e.code, verb }, 'bot: card action refused');
      return this.view(p, target.carId, notice);
    }
  }

  // ── views ───────────────────────────────────────────────────────────────────

  /**
   * A proactive notification: the recipient's own current view of the CAR, in their personal
   * chat with the bot. Nothing is sent to someone who never talked to the bot (the activity
   * feed through Graph is the fallback) or who may not see the CAR.
   */
  async deliver(n: Notification): Promise<DeliveryOutcome> {
    const ref = await this.deps.store.conversationRefOf(n.recipientId);
    if (!ref) return 'no_conversation';
    const p: Principal = {
      id: ref.aadObjectId,
      name: ref.userName,
      tenantId: ref.tenantId,
      roles: rolesOf(ref.aadObjectId, this.deps.identity),
    };
    const card = await this.viewOrNull(p, n.carId, NOTICES[n.kind]);
    if (!card) return 'not_visible';
    await this.app.sendCardTo(ref, card);
    return 'sent';
  }

  /**
   * A reminder (due soon, overdue, escalated, effectiveness check, committee digest) as a card
   * in the person's personal chat with the bot. False when there is no such chat to send to.
   */
  async deliverReminder(personId: string, reminder: Reminder): Promise<boolean> {
    const ref = await this.deps.store.conversationRefOf(personId);
    if (!ref) return false;
    await this.app.sendCardTo(ref, messageCard('Rectify reminder', reminderText(reminder)));
    return true;
  }

  /** The CAR as this person may see it: whole, or only their actions, or not at all. */
  private async view(p: Principal, idOrNumber: string, notice?: Notice): Promise<IAdaptiveCard> {
    return (
      (await this.viewOrNull(p, idOrNumber, notice)) ??
      messageCard('Rectify', ERROR_CATALOGUE['CAR.NOT_FOUND'].title)
    );
  }

  private async viewOrNull(
    p: Principal,
    idOrNumber: string,
    notice?: Notice,
  ): Promise<IAdaptiveCard | null> {
    try {
      return await this.render(p, await this.deps.carService.get(p, idOrNumber), notice);
    } catch (e) {
      if (!isRectifyError(e) || e.code !== 'CAR.NOT_FOUND') throw e;
    }
    const mine = (await this.deps.carService.myActions(p)).filter(
      (a) => a.carId === idOrNumber || a.carNumber === idOrNumber,
    );
    const first = mine[0];
    if (!first) return null;
    return ownerCard({
      carId: first.carId,
      carNumber: first.carNumber,
      etag: first.etag,
      actions: mine.map((a) => a.action),
      available: mine.flatMap((a) => a.availableCommands),
      ...(notice ? { notice } : {}),
    });
  }

  private async render(p: Principal, stored: StoredCar, notice?: Notice): Promise<IAdaptiveCard> {
    const car = stored.car.toPrimitives();
    const involved = new Set<string>([
      ...this.deps.identity.roleUsers.mr,
      car.reporter.id,
      ...car.actions.map((a) => a.owner.id),
      ...car.investigation.consultees.map((c) => c.id),
    ]);
    const refreshUserIds = (await this.deps.store.conversationRefs(p.tenantId))
      .filter((r) => involved.has(r.aadObjectId) && r.userMri !== '')
      .map((r) => r.userMri)
      .slice(0, MAX_REFRESH_USERS);
    const available = this.deps.carService.availableCommands(p, stored);
    // Someone whose only part is to answer as a consultee gets the consultee's own card.
    if (available.length > 0 && available.every((c) => c.name === 'addConsulteeInput'))
      return consulteeCard({
        car,
        etag: stored.etag,
        refreshUserIds,
        ...(notice ? { notice } : {}),
      });
    return carCard({
      car,
      etag: stored.etag,
      available,
      people: await this.deps.directory(p.tenantId),
      refreshUserIds,
      ...(notice ? { notice } : {}),
    });
  }

  private async person(tenantId: string): Promise<(id: string) => PersonRef> {
    const people = await this.deps.directory(tenantId);
    return (id) => people.find((x) => x.id === id) ?? { id, name: id };
  }
}

/** Activities come from outside: whatever the SDK's types promise, check what arrived. */
const stringOf = (v: unknown): string => (typeof v === 'string' ? v : '');
const recordOf = (v: unknown): CardData =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as CardData) : {};

const dialogCard = (card: IAdaptiveCard) => ({
  task: {
    type: 'continue' as const,
    value: {
      title: 'Report as ISMS event',
      card: { contentType: 'application/vnd.microsoft.card.adaptive' as const, content: card },
    },
  },
});
const dialogMessage = (text: string) => ({ task: { type: 'message' as const, value: text } });

const listItem = (s: StoredCar) => ({ car: s.car.toPrimitives(), etag: s.etag });
