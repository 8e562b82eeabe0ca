import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CAR_STATES, type CarState } from '../../src/domain/car/lifecycle.js';
import { SampleDirectory } from '../../src/infrastructure/auth/sample-directory.js';
import { SAMPLE_PEOPLE, type SamplePerson } from '../../src/infrastructure/auth/sample-people.js';
import { people, startHarness, type Harness, type Who } from '../support/rectify-harness.js';
import {
  act as report,
  aCorrectiveAction,
  investigationComplete,
  type CarBody,
} from '../http/steps.js';
import {
  cardProblems,
  conversationOf,
  invokeActivity,
  messageActivity,
  post,
  startConnector,
  envelope,
  type CardJson,
  type FakeConnector,
} from './bot-client.js';

/**
 * Teams refuses bot messages over its size limit, counted in UTF-16 ("format your bot
 * messages": about 40 KB in older clients); Rectify keeps every card under 28 KB whatever the
 * size of the organisation, because people are chosen by typeahead, not listed.
 */
const LIMIT_BYTES = 28 * 1024;
const utf16Bytes = (card: unknown): number => JSON.stringify(card).length * 2;

const SCRIPTS = ['Анастасия Воскресенская', 'محمد عبد الرحمن', '王秀英', 'Żaneta Wróblewska-Łęcka'];
/** 5,000 colleagues with long names in several scripts, none of whom ever talked to the bot. */
const colleagues: SamplePerson[] = Array.from({ length: 5_000 }, (_, n) => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  name: `${SCRIPTS[n % SCRIPTS.length] ?? ''} ${n} 🛡️`,
  email: `colleague.${n}@contoso.example`,
  jobTitle: 'Colleague',
  appRoles: [],
  description: 'Colleague',
}));
const directory = new SampleDirectory([...SAMPLE_PEOPLE, ...colleagues]);

let h: Harness;
let connector: FakeConnector;
beforeAll(async () => {
  connector = await startConnector();
  h = await startHarness({}, { directory });
});
afterAll(async () => {
  await h.close();
  await connector.close();
});

const say = async (who: Who, text: string): Promise<CardJson> => {
  const before = connector.cardsSentTo(conversationOf(who)).length;
  const res = await post(h.rectify.url, messageActivity(who, connector.url, text));
  expect(res.status).toBe(200);
  const cards = connector.cardsSentTo(conversationOf(who));
  expect(cards.length).toBe(before + 1);
  return cards[cards.length - 1] as CardJson;
};

const search = async (who: Who, queryText: string) => {
  const res = await post(h.rectify.url, {
    ...envelope(who, connector.url),
    type: 'invoke',
    name: 'application/search',
    value: { queryText, queryOptions: { skip: 0, top: 15 }, dataset: 'people' },
  });
  expect(res.status).toBe(200);
  return res.body as unknown as {
    statusCode: number;
    type: string;
    value: { results: { title: string; value: string }[] };
  };
};

const long = (what: string) =>
  `${what}: ${'Vérification du registre ✅ سجل الزوار 访客登记 '.repeat(6)}`.slice(0, 300);

/** One CAR taken to `state` through the API, with long texts, ten consultees and actions. */
async function carIn(state: CarState): Promise<CarBody> {
  const client = await h.as('reporter');
  const created = await client.post('/api/cars', {
    type: 'policy_nonconformance',
    relatesTo: ['procedure', 'equipment', 'personnel'],
    source: 'member_report',
    title: long('Title').slice(0, 200),
    description: long('Description'),
    occurredAt: '2026-11-20T09:30:00Z',
    location: long('Location').slice(0, 200),
    affected: long('Affected'),
    immediateAction: long('Immediate action'),
    confidential: false,
  });
  expect(created.status).toBe(201);
  const car = created.body as CarBody;
  if (state === 'reported') return car;
  if (state === 'rejected') return report(h, 'mr', car, '/reject', { reason: long('Reason') });
  if (state === 'merged') {
    const target = await carIn('recorded');
    return report(h, 'mr', car, '/merge', { target: target.number, reason: 'Reported twice' });
  }
  await report(h, 'mr', car, '/record', { classification: 'major_nc', severity: 'high' });
  const recorded = await report(h, 'mr', car, '/containment', {
    description: long('Containment'),
  });
  if (state === 'recorded') return recorded;
  await report(h, 'mr', car, '/start-investigation');
  await report(
    h,
    'mr',
    car,
    '/investigation',
    {
      ...investigationComplete,
      rootCause: long('Root cause'),
      consultees: [
        { id: people.committee.id, name: people.committee.name },
        ...colleagues.slice(0, 9).map((c) => ({ id: c.id, name: c.name })),
      ],
    },
    'patch',
  );
  for (let n = 0; n < 3; n += 1)
    await report(h, 'mr', car, '/actions', { ...aCorrectiveAction(), title: long(`Action ${n}`) });
  if (state === 'investigating') return car;
  await report(h, 'mr', car, '/plan');
  if (state === 'action_planned') return car;
  const implementing = await report(h, 'mr', car, '/start-implementation');
  if (state === 'implementing') return implementing;
  for (const a of implementing.actions)
    await report(h, 'owner', car, `/actions/${a.id}/complete`, { note: long('Done') });
  await report(h, 'mr', car, '/start-verification');
  if (state === 'verifying') return car;
  await report(h, 'mr', car, '/verification', { effective: true, evidence: long('Evidence') });
  return report(h, 'mr', car, '/close', {
    summary: long('Summary'),
    ismsChangeNeeded: false,
    feedsManagementReview: true,
  });
}

describe('cards with 5,000 people in the directory', () => {
  const sizes: { where: string; bytes: number }[] = [];
  const measure = (where: string, card: CardJson): void => {
    expect(cardProblems(card)).toEqual([]);
    sizes.push({ where, bytes: utf16Bytes(card) });
  };

  for (const state of CAR_STATES)
    it(`keeps every card of a ${state} CAR under 28 KB of UTF-16, for everyone`, async () => {
      const car = await carIn(state);
      const ref = car.number ?? car.id;
      for (const who of ['mr', 'reporter', 'owner', 'committee'] as const)
        measure(`${state} as ${who}`, await say(who, `status ${ref}`));
      const largest = Math.max(...sizes.map((s) => s.bytes));
      expect(largest).toBeLessThan(LIMIT_BYTES);
    });

  it('keeps the other cards under 28 KB too', async () => {
    for (const text of ['report', 'help', 'queue', 'my reports'])
      for (const who of ['mr', 'reporter'] as const)
        measure(`${text} as ${who}`, await say(who, text));
    for (const s of sizes) expect(s.bytes).toBeLessThan(LIMIT_BYTES);
  });

  it('the check can fail: the same people listed on a card would not fit', () => {
    const listed = { choices: colleagues.map((c) => ({ title: c.name, value: c.id })) };
    expect(utf16Bytes(listed)).toBeGreaterThan(LIMIT_BYTES);
  });
});

describe("the cards' people typeahead", () => {
  const nobody = colleagues[4_321];

  it('finds a person who never talked to the bot', async () => {
    const answer = await search('mr', `${nobody?.name.split(' ')[0] ?? ''} 4321`);
    expect(answer.statusCode).toBe(200);
    expect(answer.type).toBe('application/vnd.microsoft.search.searchResponse');
    expect(answer.value.results).toEqual([{ title: nobody?.name, value: nobody?.id }]);
  });

  it('answers at most 15 results, as Teams shows', async () => {
    const answer = await search('mr', 'colleague');
    expect(answer.value.results).toHaveLength(15);
  });

  it('marks guests, and gives nothing to someone who is not the MR', async () => {
    const guests = await search('mr', 'lars');
    expect(guests.value.results.map((r) => r.title)).toEqual(['Lars Berg (Fabrikam) (guest)']);
    expect((await search('reporter', 'lars')).value.results).toEqual([]);
  });

  it('makes the person found an action owner with their directory name', async () => {
    const car = await carIn('investigating');
    const client = await h.as('mr');
    const etag = (await client.get(`/api/cars/${car.id}`)).headers.etag ?? '';
    const res = await post(
      h.rectify.url,
      invokeActivity('mr', connector.url, 'car.addAction', {
        carId: car.id,
        etag,
        actionKind: 'corrective',
        actionTitle: 'Brief the night shift',
        actionOwner: nobody?.id,
      }),
    );
    expect(res.status).toBe(200);
    const after = (await client.get(`/api/cars/${car.id}`)).body as CarBody & {
      actions: { owner: { id: string; name: string } }[];
    };
    expect(after.actions.at(-1)?.owner).toEqual({ id: nobody?.id, name: nobody?.name });
  });

  it('refuses an owner the directory does not know, and changes nothing', async () => {
    const car = await carIn('investigating');
    const client = await h.as('mr');
    const before = await client.get(`/api/cars/${car.id}`);
    const res = await post(
      h.rectify.url,
      invokeActivity('mr', connector.url, 'car.addAction', {
        carId: car.id,
        etag: before.headers.etag ?? '',
        actionKind: 'corrective',
        actionTitle: 'Forged owner',
        actionOwner: 'ffffffff-0000-4000-8000-000000000000',
      }),
    );
    expect(res.status).toBe(200);
    const after = await client.get(`/api/cars/${car.id}`);
    expect(after.headers.etag).toBe(before.headers.etag);
  });
});
