/**
 * The rules by which the emulator is as strict as Microsoft documents Graph, SharePoint and
 * Planner to be. All are on by default; `relax` (GraphEmulatorOptions) switches single rules off,
 * for debugging and for the tests that show each rule catches what it should. Where a document
 * is unclear the emulator is stricter than Graph, never kinder.
 */
export const STRICT_RULES = {
  /**
   * "ColumnDefinitions and field values for hidden columns aren't shown by default": a hidden
   * column is listed only when `$select` names `hidden`; a hidden field only when `$select`
   * names it (never in the answer to a POST or PATCH).
   * https://learn.microsoft.com/en-us/graph/api/resources/columndefinition
   */
  hiddenColumns: 'https://learn.microsoft.com/en-us/graph/api/resources/columndefinition',
  /**
   * Simplified dependencies: a batch is fully parallel (no dependsOn), fully sequential (each
   * request depends on the one before) or all its dependent requests depend on one request;
   * a request depends on at most one other. Anything else is 400.
   * https://learn.microsoft.com/en-us/graph/known-issues#json-batching
   */
  batchDependsOn: 'https://learn.microsoft.com/en-us/graph/known-issues#json-batching',
  /**
   * Requests that depend on each other run one after another ("Batch should be either fully
   * sequential or fully parallel"): a sequential batch costs one latency per request.
   * https://learn.microsoft.com/en-us/graph/json-batching#sequencing-requests-with-the-dependson-property
   */
  sequentialBatchLatency:
    'https://learn.microsoft.com/en-us/graph/json-batching#sequencing-requests-with-the-dependson-property',
  /**
   * The list view threshold applies to the first indexed column of a filter: a query on a list
   * over 5,000 items whose first indexed clause matches more than 5,000 items is refused.
   * https://learn.microsoft.com/en-us/troubleshoot/sharepoint/lists-and-libraries/items-exceeds-list-view-threshold
   */
  indexedFilterThreshold:
    'https://learn.microsoft.com/en-us/troubleshoot/sharepoint/lists-and-libraries/items-exceeds-list-view-threshold',
  /**
   * Graph documents no status for a duplicate in an `enforceUniqueValues` column; SharePoint
   * answers SPDuplicateValuesFoundException with 500, and so does the emulator.
   * https://learn.microsoft.com/en-us/graph/api/resources/columndefinition (enforceUniqueValues),
   * https://learn.microsoft.com/en-us/dotnet/api/microsoft.sharepoint.spduplicatevaluesfoundexception
   */
  duplicateAnswers500:
    'https://learn.microsoft.com/en-us/dotnet/api/microsoft.sharepoint.spduplicatevaluesfoundexception',
  /**
   * Order hints are characters 32 to 126; a client sets one as `<previous> <next>!` (either may
   * be empty), so a hint a client sends contains a space and ends with `!`.
   * https://learn.microsoft.com/en-us/graph/api/resources/planner-order-hint-format
   */
  plannerOrderHint:
    'https://learn.microsoft.com/en-us/graph/api/resources/planner-order-hint-format',
  /**
   * A change sent with an older ETag that conflicts with a newer change answers 409 Conflict
   * ("version conflict"); an older ETag on properties nobody changed since answers 412.
   * https://learn.microsoft.com/en-us/graph/api/resources/planner-overview#planner-resource-versioning
   */
  plannerVersionConflict:
    'https://learn.microsoft.com/en-us/graph/api/resources/planner-overview#planner-resource-versioning',
  /**
   * "Each property name in this type is the ID of a user object a task is assigned to": a
   * group id as assignee is refused.
   * https://learn.microsoft.com/en-us/graph/api/resources/plannerassignments
   */
  plannerUserAssignees: 'https://learn.microsoft.com/en-us/graph/api/resources/plannerassignments',
  /**
   * A date-only column keeps a calendar day in the site's regional time zone; Graph renders it
   * as that day's midnight in the site time zone, in UTC.
   * https://learn.microsoft.com/en-us/graph/api/resources/datetimecolumn
   */
  siteTimeZone: 'https://learn.microsoft.com/en-us/graph/api/resources/datetimecolumn',
  /**
   * Bodies are Graph's own types, as its CSDL metadata (the source of its OpenAPI description)
   * defines them: a request body that does not match is 400, a response that does not match
   * is a bug in the emulator and fails the test.
   * https://learn.microsoft.com/en-us/graph/traverse-the-graph#microsoft-graph-api-metadata
   */
  graphSchemas:
    'https://learn.microsoft.com/en-us/graph/traverse-the-graph#microsoft-graph-api-metadata',
  /**
   * SharePoint charges each app per tenant in resource units (1 a single-item read, 2 a
   * multi-item query or a write, 5 a permission operation; each request of a $batch counted)
   * within a per-minute and a per-day budget by tenant size; past it, 429 with Retry-After.
   * https://learn.microsoft.com/en-us/sharepoint/dev/general-development/how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online
   */
  resourceUnits:
    'https://learn.microsoft.com/en-us/sharepoint/dev/general-development/how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online',
} as const;

export type StrictRule = keyof typeof STRICT_RULES;

export const ALL_STRICT_RULES = Object.keys(STRICT_RULES) as StrictRule[];

/** Which rules hold: every one unless relaxed. */
export class Strictness {
  private readonly relaxed: ReadonlySet<StrictRule>;

  constructor(relax: readonly StrictRule[] = []) {
    this.relaxed = new Set(relax);
  }

  holds(rule: StrictRule): boolean {
    return !this.relaxed.has(rule);
  }
}
