import { ApiError, toApiError, type RectifyClient } from './rectify-client.js';
import type {
  ActionTask,
  AgendaResponse,
  BoardTask,
  DecisionInput,
  DecisionsOutcome,
  Download,
  Kpis,
  Meeting,
  NotificationPage,
  Procedure,
  ImportReport,
} from './types.js';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The API calls of the views loaded on demand (tasks, procedures, committee, notifications,
 * downloads), kept out of the report view's first load.
 */

/** A list the API answers as `{ items }` (or, from an older server, as a bare array). */
export async function items<T>(client: RectifyClient, path: string): Promise<readonly T[]> {
  const { data } = await client.send<unknown>('GET', path);
  if (Array.isArray(data)) return data as T[];
  if (isRecord(data)) {
    const list = data.items ?? data.procedures ?? data.tasks;
    if (Array.isArray(list)) return list as T[];
  }
  throw new ApiError(0, 'CLIENT.UNEXPECTED', 'The server sent a list Rectify cannot read.');
}

/**
 * A file from the API (PDF, CSV, XLSX) as a blob: the bearer token travels in the header,
 * never in an address a browser could keep.
 */
export async function download(
  client: RectifyClient,
  path: string,
  fallbackName: string,
): Promise<Download> {
  const res = await client.fetchWithToken(path, { headers: { Accept: '*/*' } });
  if (!res.ok) throw await toApiError(res);
  const named = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '');
  return { blob: await res.blob(), fileName: named?.[1] ?? fallbackName };
}

// ---- tasks on the board ------------------------------------------------------------

export async function carTasks(
  client: RectifyClient,
  idOrNumber: string,
): Promise<readonly ActionTask[]> {
  return items<ActionTask>(client, `/api/cars/${encodeURIComponent(idOrNumber)}/tasks`);
}

export async function myBoardTasks(client: RectifyClient): Promise<readonly BoardTask[]> {
  return items<BoardTask>(client, '/api/board/tasks?assignee=me');
}

/** Marks a local-board task complete on the version the user saw (If-Match). */
export async function completeBoardTask(
  client: RectifyClient,
  task: {
    readonly id: string;
    readonly etag: string;
  },
): Promise<BoardTask> {
  const path = `/api/board/tasks/${encodeURIComponent(task.id)}`;
  return (
    await client.send<BoardTask>('PATCH', path, { percentComplete: 100 }, { 'If-Match': task.etag })
  ).data;
}

// ---- procedures --------------------------------------------------------------------

export async function procedures(client: RectifyClient): Promise<readonly Procedure[]> {
  return items<Procedure>(client, '/api/procedures');
}

export async function procedure(client: RectifyClient, id: string): Promise<Procedure> {
  return (await client.send<Procedure>('GET', `/api/procedures/${encodeURIComponent(id)}`)).data;
}

export function revisionContent(
  client: RectifyClient,
  procedureId: string,
  version: string,
): Promise<Download> {
  const path = `/api/procedures/${encodeURIComponent(procedureId)}/revisions/${encodeURIComponent(version)}/content`;
  return download(client, path, `${procedureId}-${version}.md`);
}

// ---- the Steering Committee -------------------------------------------------------

export async function meetings(client: RectifyClient): Promise<readonly Meeting[]> {
  return items<Meeting>(client, '/api/committee/meetings');
}

export async function planMeeting(
  client: RectifyClient,
  date: string,
  title: string,
): Promise<Meeting> {
  const path = `/api/committee/meetings/${encodeURIComponent(date)}`;
  return (await client.send<Meeting>('PUT', path, { title })).data;
}

export async function agenda(client: RectifyClient, date: string): Promise<AgendaResponse> {
  const path = `/api/committee/meetings/${encodeURIComponent(date)}/agenda`;
  return (await client.send<AgendaResponse>('GET', path)).data;
}

/** The meeting's decisions in one pass; each CAR answers ok, conflict or error. */
export async function decide(
  client: RectifyClient,
  date: string,
  decisions: readonly DecisionInput[],
): Promise<DecisionsOutcome> {
  const path = `/api/committee/meetings/${encodeURIComponent(date)}/decisions`;
  return (await client.send<DecisionsOutcome>('POST', path, { decisions })).data;
}

export async function kpis(client: RectifyClient, from: string, to: string): Promise<Kpis> {
  const q = new URLSearchParams({ from, to }).toString();
  return (await client.send<Kpis>('GET', `/api/kpis?${q}`)).data;
}

// ---- the caller's notifications ----------------------------------------------------

export async function notifications(client: RectifyClient): Promise<NotificationPage> {
  return (await client.send<NotificationPage>('GET', '/api/me/notifications')).data;
}

export async function markNotificationRead(client: RectifyClient, key: string): Promise<void> {
  await client.send('POST', `/api/me/notifications/${encodeURIComponent(key)}/read`);
}

// ---- register import (MR) -------------------------------------------------------------

export interface RegisterImportRequest {
  readonly fileName: string;
  /** The file's bytes, base64. */
  readonly content: string;
  readonly mapping?: string;
  readonly dryRun: boolean;
  readonly allOrNothing: boolean;
}

export async function importRegister(
  client: RectifyClient,
  body: RegisterImportRequest,
): Promise<ImportReport> {
  return (await client.send<ImportReport>('POST', '/api/imports/register', body)).data;
}
