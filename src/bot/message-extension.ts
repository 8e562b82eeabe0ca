import type { App } from '@microsoft/teams.apps';
import type { Logger } from 'pino';
import { CarListQuerySchema } from '../application/car-commands.js';
import type { CarService } from '../application/car-service.js';
import type { LocalDate } from '../domain/calendar/local-date.js';
import type { StoredCar } from '../domain/car/car-repository.js';
import { isRectifyError } from '../domain/errors.js';
import type { Principal } from '../domain/identity.js';
import { identify, type BotIdentityOptions } from './bot-identity.js';
import { STATE_LABELS } from './cards/labels.js';

/**
 * The message extension: a search command over the CARs the user may see, and link unfurling
 * of Rectify's CAR links and Teams deep links to a CAR, both through CarService (so the API's
 * visibility rules decide what is shown).
 *
 * Search: https://learn.microsoft.com/microsoftteams/platform/messaging-extensions/how-to/search-commands/respond-to-search
 * Unfurling: https://learn.microsoft.com/microsoftteams/platform/messaging-extensions/how-to/link-unfurling
 * (Teams caches an unfurl for 30 minutes unless `cacheInfo` says otherwise; a link pasted where
 * the sender is anonymous, such as a meeting with anonymous users, comes as
 * `composeExtension/anonymousQueryLink` when `supportsAnonymizedPayloads` is set).
 */
export const SEARCH_COMMAND = 'searchCars';
export const SEARCH_PARAMETER = 'searchQuery';
/** A visible, non-confidential CAR's unfurl is cached the 30 minutes Teams uses by default. */
export const UNFURL_CACHE_SECONDS = 1800;
const MAX_RESULTS = 25;
const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

export interface MessageExtensionDeps {
  readonly carService: CarService;
  readonly identity: BotIdentityOptions;
  readonly logger: Logger;
  /** Where a card's "Open in Rectify" goes for a CAR number or id; none when unknown. */
  readonly carLink?: ((idOrNumber: string) => string) | undefined;
}

const CAR_REF =
  /^(CAR-\d{4}-\d{4,6}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * The CAR a link names: `https://<Rectify host>/cars/<number or id>`, or a Teams deep link to
 * Rectify's tab whose context names it (`subEntityId`). Null for anything else.
 */
export function carOfLink(link: string): string | null {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:') return null;
  let ref: string | undefined;
  if (url.hostname === 'teams.microsoft.com' && url.pathname.startsWith('/l/entity/')) {
    const context = url.searchParams.get('context');
    try {
      const parsed: unknown = context ? JSON.parse(context) : null;
      const sub =
        typeof parsed === 'object' && parsed !== null && 'subEntityId' in parsed
          ? parsed.subEntityId
          : undefined;
      ref = typeof sub === 'string' ? sub : undefined;
    } catch {
      return null;
    }
  } else {
    const m = /^\/cars\/([^/]+)\/?$/.exec(url.pathname);
    try {
      ref = m?.[1] ? decodeURIComponent(m[1]) : undefined;
    } catch {
      return null;
    }
  }
  return ref && CAR_REF.test(ref)
    ? ref.toUpperCase().startsWith('CAR-')
      ? ref.toUpperCase()
      : ref.toLowerCase()
    : null;
}

interface Attachment {
  contentType: string;
  content: Record<string, unknown>;
  preview?: { contentType: string; content: Record<string, unknown> };
}

/** A small Adaptive Card 1.3 (what every Teams client and Outlook render) for one CAR. */
function carAttachment(stored: StoredCar, today: LocalDate, link: string | null): Attachment {
  const car = stored.car.toPrimitives();
  const number = car.number ?? 'Report (no CAR number yet)';
  const confidential = car.report.confidential;
  // An unfurled card is shown to everyone in the conversation: a confidential CAR shows no title.
  const title = confidential ? 'Confidential: open it in Rectify to read it' : car.report.title;
  const due = stored.car.nextDueDate();
  const facts = [
    { title: 'State', value: STATE_LABELS[car.state] },
    ...(!confidential && due
      ? [
          {
            title: 'Next due',
            value: stored.car.isOverdue(today) ? `${due} (overdue)` : due,
          },
        ]
      : []),
  ];
  return {
    contentType: ADAPTIVE,
    content: {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.3',
      body: [
        { type: 'TextBlock', text: number, weight: 'Bolder', size: 'Medium', wrap: true },
        { type: 'TextBlock', text: title, wrap: true },
        { type: 'FactSet', facts },
      ],
      ...(link
        ? { actions: [{ type: 'Action.OpenUrl', title: 'Open in Rectify', url: link }] }
        : {}),
    },
    preview: {
      contentType: 'application/vnd.microsoft.card.thumbnail',
      content: { title: number, text: `${title} · ${STATE_LABELS[car.state]}` },
    },
  };
}

const result = (attachments: Attachment[]) => ({
  composeExtension: { type: 'result' as const, attachmentLayout: 'list' as const, attachments },
});

/** What an unfurl answers when it must say nothing: no card, and not cached. */
const nothing = () => ({ ...result([]), cacheInfo: { cacheType: 'no-cache' as const } });

const parameterOf = (value: unknown, name: string): string | undefined => {
  if (typeof value !== 'object' || value === null || !('parameters' in value)) return undefined;
  const params = (value as { parameters?: unknown }).parameters;
  if (!Array.isArray(params)) return undefined;
  for (const p of params as unknown[])
    if (typeof p === 'object' && p !== null && (p as { name?: unknown }).name === name) {
      const v = (p as { value?: unknown }).value;
      return typeof v === 'string' ? v : undefined;
    }
  return undefined;
};

export function registerMessageExtension(app: App, deps: MessageExtensionDeps): void {
  const search = async (p: Principal, text: string | undefined, initialRun: boolean) => {
    const q = initialRun ? undefined : text?.trim();
    const query = CarListQuerySchema.safeParse({
      ...(q ? { q } : {}),
      limit: String(MAX_RESULTS),
      sort: 'updatedAt',
    });
    if (!query.success)
      return { composeExtension: { type: 'message' as const, text: 'Type up to 200 characters.' } };
    const page = await deps.carService.list(p, query.data);
    const today = deps.carService.today();
    return result(
      page.items.map((s) =>
        carAttachment(s, today, deps.carLink?.(s.car.toPrimitives().number ?? s.car.id) ?? null),
      ),
    );
  };

  app.on('message.ext.query', async (ctx) => {
    const who = identify(ctx.activity, deps.identity);
    const value: unknown = ctx.activity.value;
    if (!who.ok || (value as { commandId?: unknown }).commandId !== SEARCH_COMMAND)
      return result([]);
    const skip = (value as { queryOptions?: { skip?: unknown } }).queryOptions?.skip;
    if (typeof skip === 'number' && skip > 0) return result([]);
    return search(
      who.principal,
      parameterOf(value, SEARCH_PARAMETER),
      parameterOf(value, 'initialRun') === 'true',
    );
  });

  app.on('message.ext.query-link', async (ctx) => {
    const who = identify(ctx.activity, deps.identity);
    const url: unknown = (ctx.activity.value as { url?: unknown }).url;
    const ref = typeof url === 'string' ? carOfLink(url) : null;
    if (!who.ok || !ref) return nothing();
    try {
      const stored = await deps.carService.get(who.principal, ref);
      const attachment = carAttachment(
        stored,
        deps.carService.today(),
        typeof url === 'string' ? url : null,
      );
      const confidential = stored.car.toPrimitives().report.confidential;
      return {
        ...result([attachment]),
        cacheInfo: confidential
          ? { cacheType: 'no-cache' as const }
          : { cacheType: 'cache' as const, cacheDuration: UNFURL_CACHE_SECONDS },
      };
    } catch (e) {
      // Not found and not visible answer alike: the link reveals nothing.
      if (isRectifyError(e) && e.code === 'CAR.NOT_FOUND') return nothing();
      deps.logger.error({ err: e }, 'bot: link unfurl failed');
      return nothing();
    }
  });

  // A link pasted where the user is anonymous: no one to check visibility for, so no data.
  app.on('message.ext.anon-query-link', () => Promise.resolve(nothing()));
}
