import { expect } from '@jest/globals';
import type { Harness, Who } from '../support/rectify-harness.js';
import { aReportBody, people } from '../support/rectify-harness.js';

export interface CarBody {
  id: string;
  number: string | null;
  state: string;
  etag: string;
  actions: { id: string; status: string; owner: { id: string }; dueDate: string; kind: string }[];
  procedureLinks: {
    id: string;
    revisionInForce: string;
    newRevision: string | null;
    newRevisionChangelog: string | null;
  }[];
  [key: string]: unknown;
}

export async function report(
  h: Harness,
  who: Who = 'reporter',
  overrides: Record<string, unknown> = {},
): Promise<CarBody> {
  const res = await (await h.as(who)).post('/api/cars', aReportBody(overrides));
  expect(res.status).toBe(201);
  return res.body as CarBody;
}

export async function etagOf(h: Harness, id: string): Promise<string> {
  const res = await (await h.as('mr')).get(`/api/cars/${id}`);
  return res.headers.etag ?? '';
}

/** Runs one lifecycle operation with the current ETag and expects it to succeed. */
export async function act(
  h: Harness,
  who: Who,
  car: { id: string },
  path: string,
  body: object = {},
  method: 'post' | 'patch' = 'post',
): Promise<CarBody> {
  const client = await h.as(who);
  const res = await client[method](`/api/cars/${car.id}${path}`, body).set(
    'If-Match',
    await etagOf(h, car.id),
  );
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CarBody;
}

export const investigationComplete = {
  fiveWhys: [
    { question: 'Why was the badge not returned?', answer: 'Nobody asked for it at the exit.' },
    { question: 'Why did nobody ask?', answer: 'The exit checklist does not mention badges.' },
  ],
  rootCause: 'The visitor exit checklist omits badge return.',
  causeCategory: 'process',
  // The committee reads every CAR anyway: naming it changes no one's access (a consultee reads).
  consultees: [{ id: people.committee.id, name: people.committee.name }],
  similarCheck: { done: true, findings: 'No other site uses the checklist.', relatedCarIds: [] },
};

export const aCorrectiveAction = (owner: Who = 'owner') => ({
  kind: 'corrective',
  title: 'Add badge return to the visitor exit checklist',
  description: 'Update the checklist and brief reception.',
  owner: { id: people[owner].id, name: people[owner].name },
});

/** A fresh report taken to `implementing`, with one open corrective action owned by `owner`. */
export async function anImplementingCar(
  h: Harness,
  overrides: Record<string, unknown> = {},
): Promise<CarBody> {
  const car = await report(h, 'reporter', overrides);
  await act(h, 'mr', car, '/record', { classification: 'minor_nc', severity: 'medium' });
  await act(h, 'mr', car, '/start-investigation');
  await act(h, 'mr', car, '/investigation', investigationComplete, 'patch');
  await act(h, 'mr', car, '/actions', aCorrectiveAction());
  await act(h, 'mr', car, '/plan');
  return act(h, 'mr', car, '/start-implementation');
}
