import { RECTIFY_LISTS, type ColumnSpec, type ListSpec } from './rectify-lists.js';
import type { SharePointListClient } from './sharepoint-list-client.js';
import type { SharePointViewsClient } from './sharepoint-views.js';

/**
 * Creates or updates the Rectify lists on a site so that they match rectify-lists.ts: missing
 * lists are created with their columns, missing columns added, indexes and unique constraints
 * switched on where they are off. Nothing is ever removed or loosened. A second run finds
 * nothing to do and writes nothing.
 */

export interface ProvisionStep {
  readonly list: string;
  readonly action: 'create list' | 'add column' | 'update column' | 'create view';
  readonly column?: string | undefined;
  readonly view?: string | undefined;
}

export interface ProvisionResult {
  readonly steps: readonly ProvisionStep[];
  readonly listIds: Readonly<Record<string, string>>;
}

const FACETS = ['text', 'number', 'dateTime', 'boolean', 'choice'] as const;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The columnDefinition Graph takes for a column (list-post-columns.md). */
export function columnDefinition(spec: ColumnSpec): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: spec.name,
    displayName: spec.displayName,
    description: spec.description,
    indexed: spec.indexed,
    enforceUniqueValues: spec.enforceUniqueValues,
    hidden: spec.hidden,
  };
  for (const facet of FACETS)
    if (facet in spec) body[facet] = (spec as Record<string, unknown>)[facet];
  return body;
}

function columnChanges(
  spec: ColumnSpec,
  existing: Record<string, unknown>,
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  if (spec.indexed && existing.indexed !== true) changes.indexed = true;
  if (spec.enforceUniqueValues && existing.enforceUniqueValues !== true)
    changes.enforceUniqueValues = true;
  if (existing.displayName !== spec.displayName) changes.displayName = spec.displayName;
  return changes;
}

async function provisionList(
  lists: SharePointListClient,
  spec: ListSpec,
  steps: ProvisionStep[],
): Promise<string> {
  const found = await lists.findList(spec.displayName);
  if (!found) {
    const created = await lists.createList({
      displayName: spec.displayName,
      description: spec.description,
      list: { template: 'genericList' },
      columns: spec.columns.map(columnDefinition),
    });
    steps.push({ list: spec.displayName, action: 'create list' });
    return created.id;
  }
  const existing = await lists.columns(found.id);
  for (const column of spec.columns) {
    const current = existing.find((c) => isRecord(c) && c.name === column.name);
    if (!current) {
      await lists.addColumn(found.id, columnDefinition(column));
      steps.push({ list: spec.displayName, action: 'add column', column: column.name });
      continue;
    }
    const changes = columnChanges(column, current);
    if (Object.keys(changes).length > 0 && typeof current.id === 'string') {
      await lists.updateColumn(found.id, current.id, changes);
      steps.push({ list: spec.displayName, action: 'update column', column: column.name });
    }
  }
  return found.id;
}

async function provisionViews(
  views: SharePointViewsClient,
  listId: string,
  spec: ListSpec,
  steps: ProvisionStep[],
): Promise<void> {
  if (spec.views.length === 0) return;
  const existing = new Set(await views.titles(listId));
  for (const view of spec.views) {
    if (existing.has(view.title)) continue;
    await views.create(listId, view);
    steps.push({ list: spec.displayName, action: 'create view', view: view.title });
  }
}

/**
 * `views`: where to make the committee's list views (SharePoint REST; Graph has none).
 * Without it, lists and columns only.
 */
export async function provisionRectifyLists(
  lists: SharePointListClient,
  options: { readonly specs?: readonly ListSpec[]; readonly views?: SharePointViewsClient } = {},
): Promise<ProvisionResult> {
  await lists.getSite();
  const steps: ProvisionStep[] = [];
  const listIds: Record<string, string> = {};
  for (const spec of options.specs ?? RECTIFY_LISTS) {
    const listId = await provisionList(lists, spec, steps);
    listIds[spec.displayName] = listId;
    if (options.views) await provisionViews(options.views, listId, spec, steps);
  }
  return { steps, listIds };
}
