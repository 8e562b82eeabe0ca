/**
 * Teams activity feed notifications in the Graph emulator:
 * `POST /users/{id}/teamwork/sendActivityNotification`, checked against the documented body
 * (../shared/reference/graph/userteamwork-sendactivitynotification.md) and answered 204. What
 * was sent is recorded per emulator, for the tests to read. The emulator's faults (429 with
 * Retry-After ...) apply to these requests like to any other.
 */

export interface ActivityRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export interface ActivityResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface SentActivity {
  readonly userId: string;
  readonly body: Record<string, unknown>;
  readonly at: string;
}

interface FeedState {
  readonly sent: SentActivity[];
  /** Activity types the app manifest declares; null: any type is accepted. */
  declared: ReadonlySet<string> | null;
  /** Users who do not have the app installed. */
  readonly notInstalled: Set<string>;
}

const states = new WeakMap<object, FeedState>();

function stateOf(emulator: object): FeedState {
  let state = states.get(emulator);
  if (!state) {
    state = { sent: [], declared: null, notInstalled: new Set() };
    states.set(emulator, state);
  }
  return state;
}

/** The notifications this emulator accepted, in order. */
export const sentActivities = (emulator: object): readonly SentActivity[] => stateOf(emulator).sent;

/**
 * What a person's feed shows: a notification sent with the chainId of an earlier one replaces
 * it ("Use the same chainId in subsequent requests to override the previous notification").
 */
export function feedOf(emulator: object, userId: string): readonly SentActivity[] {
  const feed: SentActivity[] = [];
  for (const s of stateOf(emulator).sent) {
    if (s.userId !== userId) continue;
    const chain = s.body.chainId;
    const earlier = chain === undefined ? -1 : feed.findIndex((f) => f.body.chainId === chain);
    if (earlier >= 0) feed.splice(earlier, 1);
    feed.push(s);
  }
  return feed;
}

/** Refuses activity types the manifest does not declare, as Teams does. */
export function declareActivityTypes(emulator: object, types: readonly string[]): void {
  stateOf(emulator).declared = new Set(types);
}

/** The recipient has not installed the app: Graph refuses to notify them. */
export function withoutAppFor(emulator: object, userId: string): void {
  stateOf(emulator).notInstalled.add(userId);
}

const PATH = /^\/users\/([^/]+)\/teamwork\/sendActivityNotification$/;

export const isActivityRequest = (request: ActivityRequest): boolean => PATH.test(request.path);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const error = (status: number, code: string, message: string): ActivityResponse => ({
  status,
  headers: {},
  body: { error: { code, message, innerError: { date: new Date().toISOString() } } },
});

/** What is wrong with a request body, or null when it matches the documented shape. */
export function activityBodyProblem(body: unknown): string | null {
  if (!isRecord(body)) return 'the body must be a JSON object';
  const { topic, activityType, previewText, templateParameters, chainId } = body;
  if (!isRecord(topic)) return 'topic is required';
  if (topic.source !== 'entityUrl' && topic.source !== 'text')
    return 'topic.source must be entityUrl or text';
  if (typeof topic.value !== 'string' || topic.value === '') return 'topic.value is required';
  if (topic.source === 'text' && (typeof topic.webUrl !== 'string' || topic.webUrl === ''))
    return 'topic.webUrl is required when topic.source is text';
  if (typeof activityType !== 'string' || activityType === '') return 'activityType is required';
  if (!isRecord(previewText) || typeof previewText.content !== 'string')
    return 'previewText.content is required';
  if (
    templateParameters !== undefined &&
    !(
      Array.isArray(templateParameters) &&
      templateParameters.every(
        (p) => isRecord(p) && typeof p.name === 'string' && typeof p.value === 'string',
      )
    )
  )
    return 'templateParameters must be a list of { name, value } strings';
  if (chainId !== undefined && !Number.isSafeInteger(chainId))
    return 'chainId must be a 64-bit integer';
  return null;
}

export function serveActivity(emulator: object, request: ActivityRequest): ActivityResponse {
  const userId = decodeURIComponent(PATH.exec(request.path)?.[1] ?? '');
  if (request.method !== 'POST')
    return error(405, 'BadRequest', `${request.method} is not supported on ${request.path}`);
  const state = stateOf(emulator);
  const problem = activityBodyProblem(request.body);
  if (problem) return error(400, 'BadRequest', problem);
  const body = request.body as Record<string, unknown>;
  if (state.declared && !state.declared.has(body.activityType as string))
    return error(400, 'BadRequest', `activityType ${String(body.activityType)} is not declared`);
  if (state.notInstalled.has(userId))
    return error(403, 'Forbidden', 'The Teams app is not installed for the recipient');
  state.sent.push({ userId, body, at: new Date().toISOString() });
  return { status: 204, headers: {}, body: undefined };
}
