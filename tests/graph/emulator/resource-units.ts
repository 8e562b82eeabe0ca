/**
 * SharePoint's throttling budget as "Avoid getting throttled or blocked in SharePoint Online"
 * describes it
 * (https://learn.microsoft.com/en-us/sharepoint/dev/general-development/how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online):
 * each app has, per tenant, a budget of resource units per minute and per day that depends on
 * the tenant's licences; every Graph request to SharePoint costs units (1 for a single-item
 * read, 2 for a multi-item query and for a create, update or delete, 5 for a permission
 * operation), each request inside a $batch is counted on its own, and throttled requests count
 * too. Past a budget the answer is 429 with Retry-After.
 */

/** Licences up to, per-minute units, per-day units (the page's table for apps in a tenant). */
const BUDGETS: readonly (readonly [number, number, number])[] = [
  [1_000, 1_250, 1_200_000],
  [5_000, 2_500, 2_400_000],
  [15_000, 3_750, 3_600_000],
  [50_000, 5_000, 4_800_000],
  [Infinity, 6_250, 6_000_000],
];

export interface Budget {
  readonly perMinute: number;
  readonly perDay: number;
}

export function budgetFor(licences: number): Budget {
  const row = BUDGETS.find(([upTo]) => licences <= upTo) ?? BUDGETS[BUDGETS.length - 1];
  return { perMinute: row?.[1] ?? 1_250, perDay: row?.[2] ?? 1_200_000 };
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** What one request to SharePoint costs; null when it is not a SharePoint request. */
export function unitsOf(method: string, path: string, query: URLSearchParams): number | null {
  if (!path.startsWith('/sites') && !path.startsWith('/drives')) return null;
  if (/\/permissions(\/|$)/.test(path) || /permissions/.test(query.get('$expand') ?? '')) return 5;
  if (method !== 'GET') return 2;
  // A delta with a token is 1; without one, like any multi-item query, 2.
  if (/\/delta$/.test(path)) return query.has('token') ? 1 : 2;
  const collection = /\/(lists|items|columns|versions|children|drives|sites)$/.test(path);
  return collection ? 2 : 1;
}

interface Charge {
  readonly at: number;
  readonly units: number;
}

/** The units each app (by its token) has spent, with the budget they are held to. */
export class ResourceUnitMeter {
  private readonly charges = new Map<string, Charge[]>();
  private readonly totals = new Map<string, number>();
  budget: Budget;

  constructor(
    licences: number,
    private readonly now: () => number = Date.now,
  ) {
    this.budget = budgetFor(licences);
  }

  /**
   * Charges a request; answers the seconds to wait when the app is past its budget (the
   * request is refused, and still counted), or null when it may go ahead.
   */
  charge(app: string, units: number): number | null {
    const at = this.now();
    const list = this.charges.get(app) ?? [];
    while (list.length > 0 && (list[0]?.at ?? at) <= at - DAY) list.shift();
    const lastMinute = list.filter((c) => c.at > at - MINUTE);
    const minuteUsed = lastMinute.reduce((s, c) => s + c.units, 0);
    const dayUsed = list.reduce((s, c) => s + c.units, 0);
    list.push({ at, units });
    this.charges.set(app, list);
    this.totals.set(app, (this.totals.get(app) ?? 0) + units);
    if (dayUsed + units > this.budget.perDay) {
      const oldest = list[0]?.at ?? at;
      return Math.max(1, Math.ceil((oldest + DAY - at) / 1000));
    }
    if (minuteUsed + units > this.budget.perMinute) {
      const oldest = lastMinute[0]?.at ?? at;
      return Math.max(1, Math.ceil((oldest + MINUTE - at) / 1000));
    }
    return null;
  }

  /** Units spent since the meter started (or was reset), by every app or by one. */
  spent(app?: string): number {
    if (app !== undefined) return this.totals.get(app) ?? 0;
    return [...this.totals.values()].reduce((s, n) => s + n, 0);
  }

  reset(): void {
    this.charges.clear();
    this.totals.clear();
  }
}
