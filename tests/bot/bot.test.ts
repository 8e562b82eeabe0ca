import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { people, startHarness, type Harness, type Who } from '../support/rectify-harness.js';
import {
  cardProblems,
  conversationOf,
  dataOf,
  eventually,
  installActivity,
  invokeActivity,
  messageActivity,
  mriOf,
  post,
  startConnector,
  textsOf,
  verbsOf,
  type BotReply,
  type CardJson,
  type FakeConnector,
} from './bot-client.js';

let h: Harness;
let connector: FakeConnector;
/** Every card the bot produced in this run, validated at the end. */
const seen: { where: string; card: CardJson }[] = [];

beforeAll(async () => {
  connector = await startConnector();
  h = await startHarness();
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
  const card = cards[cards.length - 1] as CardJson;
  seen.push({ where: `reply to ${who}: ${text}`, card });
  return card;
};

const act = async (
  who: Who,
  verb: string,
  data: Record<string, unknown>,
  id?: string,
): Promise<CardJson> => {
  const res: BotReply = await post(
    h.rectify.url,
    invokeActivity(who, connector.url, verb, data, id),
  );
  expect(res.status).toBe(200);
  expect(res.body?.statusCode).toBe(200);
  expect(res.body?.type).toBe('application/vnd.microsoft.card.adaptive');
  const card = res.body?.value as CardJson;
  seen.push({ where: `${who} ${verb}`, card });
  return card;
};

const carState = async (
  id: string,
): Promise<{ state: string; etag: string; body: Record<string, unknown> }> => {
  const res = await (await h.as('mr')).get(`/api/cars/${id}`);
  expect(res.status).toBe(200);
  return {
    state: (res.body as { state: string }).state,
    etag: res.get('ETag') ?? '',
    body: res.body as Record<string, unknown>,
  };
};

const historyLength = async (id: string): Promise<number> =>
  ((await (await h.as('mr')).get(`/api/cars/${id}/history`)).body as unknown[]).length;

const reportInputs = (overrides: Record<string, string> = {}) => ({
  type: 'policy_nonconformance',
  relatesTo: 'procedure,personnel',
  source: 'member_report',
  title: 'Visitor badge not returned',
  description: 'A visitor left without returning the badge.',
  occurredOn: '2026-11-20',
  location: 'Reception',
  affected: 'Physical access',
  immediateAction: 'Badge deactivated.',
  confidential: 'false',
  ...overrides,
});

/** Reports through the bot as `who` and returns the new report's id and the card. */
const reportViaBot = async (who: Who, overrides: Record<string, string> = {}) => {
  const form = await say(who, 'report');
  const { formId } = dataOf(form, 'report.submit');
  const card = await act(who, 'report.submit', { formId, ...reportInputs(overrides) });
  const { carId } = dataOf(card, 'car.refresh');
  return { carId: carId as string, card, formId: formId as string };
};

describe('the bot on /api/messages', () => {
  it('welcomes a member when the app is installed', async () => {
    const res = await post(h.rectify.url, installActivity('reporter', connector.url));
    expect(res.status).toBe(200);
    const cards = connector.cardsSentTo(conversationOf('reporter'));
    const welcome = cards[cards.length - 1] as CardJson;
    seen.push({ where: 'welcome', card: welcome });
    expect(textsOf(welcome)).toEqual(
      expect.arrayContaining(['report', 'my reports', 'queue', 'help']),
    );
  });

  it('answers help and an unknown command with the command list, showing the text literally', async () => {
    expect(textsOf(await say('reporter', 'help'))).toContain('status');
    const unknown = await say('reporter', 'do *this* [now](https://evil.example) ${x}');
    const texts = textsOf(unknown).join('\n');
    expect(texts).toContain('\\*this\\* \\[now\\]\\(https://evil\\.example\\) $\\{x\\}');
    expect(texts).not.toContain('${');
  });

  it('refuses activities from a tenant outside the allow-list', async () => {
    const before = connector.calls.length;
    const res = await post(
      h.rectify.url,
      messageActivity('reporter', connector.url, 'help', 'f0000000-0000-4000-8000-000000000000'),
    );
    expect(res.status).toBe(403);
    expect(connector.calls.length).toBe(before);
  });

  it('reports from the form card, once even when the submission arrives twice', async () => {
    const form = await say('reporter', 'report');
    expect(verbsOf(form)).toEqual(['report.submit']);
    const { formId } = dataOf(form, 'report.submit');
    const first = await act('reporter', 'report.submit', {
      formId,
      ...reportInputs({ title: 'Tailgating "twice"\nline two' }),
    });
    const again = await act('reporter', 'report.submit', {
      formId,
      ...reportInputs({ title: 'Tailgating "twice"\nline two' }),
    });
    const id = dataOf(first, 'car.refresh').carId as string;
    expect(dataOf(again, 'car.refresh').carId).toBe(id);
    const { state, body } = await carState(id);
    expect(state).toBe('reported');
    expect((body.report as { title: string }).title).toBe('Tailgating "twice"\nline two');
    // The reporter sees the state, not the MR's buttons.
    expect(verbsOf(first)).toEqual([]);
  });

  it('answers an incomplete form with the form again and stores nothing', async () => {
    const form = await say('reporter', 'report');
    const { formId } = dataOf(form, 'report.submit');
    const card = await act('reporter', 'report.submit', { formId, ...reportInputs({ title: '' }) });
    expect(verbsOf(card)).toEqual(['report.submit']);
    expect(textsOf(card).join(' ')).toMatch(/required fields/);
  });

  it('lists my reports and the queue; the queue is for the MR only', async () => {
    const { carId } = await reportViaBot('otherReporter', { title: 'Unlocked screen' });
    const mine = textsOf(await say('otherReporter', 'my reports')).join('\n');
    expect(mine).toContain('Unlocked screen');
    expect(mine).not.toContain('Tailgating');
    expect(textsOf(await say('reporter', 'queue')).join(' ')).toMatch(
      /for the Management Representative/,
    );
    const queue = await say('mr', 'queue');
    expect(textsOf(queue).join('\n')).toContain('Unlocked screen');
    const open = await act('mr', 'car.refresh', { carId });
    expect(verbsOf(open)).toEqual(
      expect.arrayContaining(['car.record', 'car.reject', 'car.merge']),
    );
  });

  it('takes a report through triage, investigation, actions, verification and closure on cards', async () => {
    const { carId } = await reportViaBot('reporter', { title: 'Server room door propped open' });

    let card = await act('mr', 'car.refresh', { carId });
    // Every copy refreshes for the people involved who talked to the bot: the MR and the reporter.
    expect(card.refresh?.userIds).toEqual(expect.arrayContaining([mriOf('mr'), mriOf('reporter')]));
    expect(card.refresh?.action).toMatchObject({
      type: 'Action.Execute',
      verb: 'car.refresh',
      data: { carId },
    });
    card = await act('mr', 'car.record', {
      ...dataOf(card, 'car.record'),
      classification: 'minor_nc',
      severity: 'medium',
    });
    const recorded = await carState(carId);
    expect(recorded.state).toBe('recorded');
    const number = recorded.body.number as string;
    expect(number).toMatch(/^CAR-\d{4}-\d{4}$/);

    card = await act('mr', 'car.containment', {
      ...dataOf(card, 'car.containment'),
      containment: 'Door closed and alarmed.',
    });
    expect(((await carState(carId)).body.containment as { description: string }).description).toBe(
      'Door closed and alarmed.',
    );

    card = await act('mr', 'car.startInvestigation', dataOf(card, 'car.startInvestigation'));
    expect((await carState(carId)).state).toBe('investigating');

    card = await act('mr', 'car.investigation', {
      ...dataOf(card, 'car.investigation'),
      why1: 'The door was propped for deliveries.',
      why2: 'No delivery procedure for the server room.',
      rootCause: 'Missing delivery procedure.',
      causeCategory: 'process',
      consultees: people.owner.id,
      similarDone: 'true',
      similarFindings: 'None elsewhere.',
    });
    const inv = (await carState(carId)).body.investigation as {
      causeCategory: string;
      consultees: { name: string }[];
      fiveWhys: unknown[];
    };
    expect(inv.causeCategory).toBe('process');
    expect(inv.consultees).toEqual([{ id: people.owner.id, name: people.owner.name }]);
    expect(inv.fiveWhys).toHaveLength(2);

    card = await act('mr', 'car.addAction', {
      ...dataOf(card, 'car.addAction'),
      actionKind: 'corrective',
      actionTitle: 'Write the delivery procedure',
      actionOwner: people.owner.id,
    });
    card = await act('mr', 'car.planActions', dataOf(card, 'car.planActions'));
    expect((await carState(carId)).state).toBe('action_planned');
    card = await act('mr', 'car.startImplementation', dataOf(card, 'car.startImplementation'));
    expect((await carState(carId)).state).toBe('implementing');

    // The owner sees their "done"; the reporter sees the state only.
    const ownerView = await say('owner', `status ${number}`);
    expect(verbsOf(ownerView)).toEqual(['action.complete']);
    expect(verbsOf(await say('reporter', `status ${number}`))).toEqual([]);
    const done = await act('owner', 'action.complete', {
      ...dataOf(ownerView, 'action.complete'),
      note: 'Procedure v1.0 published.',
    });
    expect(verbsOf(done)).toEqual([]);
    const actions = (await carState(carId)).body.actions as { status: string }[];
    expect(actions.map((a) => a.status)).toEqual(['done']);

    card = await act('mr', 'car.refresh', { carId });
    card = await act('mr', 'car.startVerification', dataOf(card, 'car.startVerification'));
    expect((await carState(carId)).state).toBe('verifying');
    card = await act('mr', 'car.verify', {
      ...dataOf(card, 'car.verify'),
      effective: 'true',
      evidence: 'Door log clean for 30 days.',
    });
    card = await act('mr', 'car.close', {
      ...dataOf(card, 'car.close'),
      summary: 'Procedure in place.',
      ismsChangeNeeded: 'true',
      ismsChangeDescription: 'New delivery procedure.',
      feedsManagementReview: 'false',
    });
    expect((await carState(carId)).state).toBe('closed');
    expect(verbsOf(card)).toEqual([]);
  });

  it('keeps every field the tab saved when the bot saves the investigation after it', async () => {
    const { carId } = await reportViaBot('reporter', { title: 'Badge left at reception' });
    const other = await reportViaBot('reporter', { title: 'Badge left at the gate' });
    const mr = await h.as('mr');
    const run = async (path: string, body: object, method: 'post' | 'patch' = 'post') => {
      const res = await mr[method](`/api/cars/${carId}${path}`, body).set(
        'If-Match',
        (await carState(carId)).etag,
      );
      expect(res.status).toBe(200);
    };
    await run('/record', { classification: 'minor_nc', severity: 'low' });
    await run('/start-investigation', {});
    // The MR's card shows the investigation as it stands before the tab saves.
    const card = await act('mr', 'car.refresh', { carId });
    const fromTab = {
      fiveWhys: [
        { question: 'Why was the badge left?', answer: 'The visitor was in a hurry.' },
        { question: 'Why did nobody collect it?', answer: 'Reception was unstaffed.' },
      ],
      causeCategory: 'people',
      similarCheck: { done: true, findings: 'One more at the gate.', relatedCarIds: [other.carId] },
    };
    await run('/investigation', fromTab, 'patch');
    // The bot card (now refreshed) gets only a root cause typed into it.
    const fresh = await act('mr', 'car.refresh', { carId });
    expect(verbsOf(card)).toContain('car.investigation');
    await act('mr', 'car.investigation', {
      ...dataOf(fresh, 'car.investigation'),
      why1: 'The visitor was in a hurry.',
      why2: 'Reception was unstaffed.',
      rootCause: 'No badge drop box at the exit.',
      causeCategory: 'people',
      similarDone: 'true',
      similarFindings: 'One more at the gate.',
    });
    const inv = (await carState(carId)).body.investigation as Record<string, unknown>;
    expect(inv).toMatchObject({
      fiveWhys: fromTab.fiveWhys,
      rootCause: 'No badge drop box at the exit.',
      causeCategory: 'people',
      similarCheck: fromTab.similarCheck,
    });
  });

  it('rejects a report with a reason the reporter then sees, and merges a duplicate', async () => {
    const { carId } = await reportViaBot('reporter', { title: 'Printer jam' });
    let card = await act('mr', 'car.refresh', { carId });
    await act('mr', 'car.reject', { ...dataOf(card, 'car.reject'), reason: 'Not an ISMS matter.' });
    expect((await carState(carId)).state).toBe('rejected');
    expect(textsOf(await act('reporter', 'car.refresh', { carId })).join(' ')).toContain(
      'Not an ISMS matter\\.',
    );

    const target = await reportViaBot('reporter', { title: 'Badge cloned' });
    card = await act('mr', 'car.refresh', { carId: target.carId });
    await act('mr', 'car.record', {
      ...dataOf(card, 'car.record'),
      classification: 'major_nc',
      severity: 'high',
    });
    const targetNumber = (await carState(target.carId)).body.number as string;
    const dup = await reportViaBot('otherReporter', { title: 'Badge cloned again' });
    card = await act('mr', 'car.refresh', { carId: dup.carId });
    await act('mr', 'car.merge', {
      ...dataOf(card, 'car.merge'),
      target: targetNumber.toLowerCase(),
      mergeReason: 'The same cloned badge',
    });
    expect((await carState(dup.carId)).state).toBe('merged');
  });

  it('changes state once when the same invoke is delivered twice', async () => {
    const { carId } = await reportViaBot('reporter', { title: 'Shared password' });
    const card = await act('mr', 'car.refresh', { carId });
    const invokeId = randomUUID();
    const data = { ...dataOf(card, 'car.record'), classification: 'ofi', severity: 'low' };
    await act('mr', 'car.record', data, invokeId);
    const entries = await historyLength(carId);
    const second = await act('mr', 'car.record', data, invokeId);
    expect(await historyLength(carId)).toBe(entries);
    expect((await carState(carId)).state).toBe('recorded');
    expect(verbsOf(second)).toContain('car.startInvestigation');
  });

  it('answers an action on an out-of-date card with the current card and changes nothing', async () => {
    const { carId } = await reportViaBot('reporter', { title: 'Laptop left in a taxi' });
    const stale = await act('mr', 'car.refresh', { carId });
    await act('mr', 'car.record', {
      ...dataOf(stale, 'car.record'),
      classification: 'minor_nc',
      severity: 'low',
    });
    const entries = await historyLength(carId);
    const answer = await act('mr', 'car.reject', {
      ...dataOf(stale, 'car.reject'),
      reason: 'Second thoughts',
    });
    expect(textsOf(answer).join(' ')).toMatch(/out of date/);
    expect(verbsOf(answer)).toContain('car.startInvestigation');
    expect(await historyLength(carId)).toBe(entries);
    expect((await carState(carId)).state).toBe('recorded');
  });

  it('refuses a forged card action: a verb the caller may not use, or another CAR id', async () => {
    const mine = await reportViaBot('reporter', { title: 'Tailgate at the side door' });
    const theirs = await reportViaBot('otherReporter', { title: 'USB stick found' });
    const { etag } = await carState(mine.carId);
    // A reporter forging the MR's verb on their own report.
    const forged = await act('reporter', 'car.record', {
      carId: mine.carId,
      etag,
      classification: 'ofi',
      severity: 'low',
    });
    expect(textsOf(forged).join(' ')).toMatch(/You may not do that/);
    expect((await carState(mine.carId)).state).toBe('reported');
    // A reporter pointing a card at someone else's report: as if it did not exist.
    const other = await carState(theirs.carId);
    const probe = await act('reporter', 'car.reject', {
      carId: theirs.carId,
      etag: other.etag,
      reason: 'x',
    });
    expect(textsOf(probe).join(' ')).toMatch(/No such report or CAR/);
    expect(textsOf(probe).join(' ')).not.toContain('USB stick');
    expect((await carState(theirs.carId)).state).toBe('reported');
    const peek = await act('reporter', 'car.refresh', { carId: theirs.carId });
    expect(textsOf(peek).join(' ')).not.toContain('USB stick');
    // An unknown verb.
    const unknown = await act('mr', 'car.delete', { carId: mine.carId, etag });
    expect(textsOf(unknown).join(' ')).toMatch(/no longer supported/);
  });

  it('refuses to complete an action the caller does not own', async () => {
    const { carId } = await reportViaBot('reporter', { title: 'Clean desk breach' });
    let card = await act('mr', 'car.refresh', { carId });
    card = await act('mr', 'car.record', {
      ...dataOf(card, 'car.record'),
      classification: 'minor_nc',
      severity: 'low',
    });
    card = await act('mr', 'car.startInvestigation', dataOf(card, 'car.startInvestigation'));
    await act('mr', 'car.addAction', {
      ...dataOf(card, 'car.addAction'),
      actionKind: 'training',
      actionTitle: 'Clean desk training',
      actionOwner: people.owner.id,
    });
    const { body, etag } = await carState(carId);
    const actionId = (body.actions as { id: string }[])[0]?.id as string;
    const forged = await act('otherOwner', 'action.complete', {
      carId,
      etag,
      actionId,
      note: 'me',
    });
    expect(textsOf(forged).join(' ')).toMatch(/No such report or CAR/);
    expect(((await carState(carId)).body.actions as { status: string }[])[0]?.status).toBe('open');
  });

  it('reports a chat message with the message action, pre-filled with its text and link', async () => {
    const link = 'https://teams.microsoft.com/l/message/19:abc/1700000000000';
    const open = await post(h.rectify.url, {
      ...invokeActivity('otherReporter', connector.url, '', {}),
      name: 'composeExtension/fetchTask',
      value: {
        commandId: 'reportMessage',
        commandContext: 'message',
        messagePayload: {
          body: {
            contentType: 'html',
            content: '<p>Password is <b>hunter2</b> &amp; shared</p><p>in [chat](x)</p>',
          },
          linkToMessage: link,
          from: { user: { displayName: 'Pat Doe' } },
        },
      },
    });
    expect(open.status).toBe(200);
    const task = (
      open.body as unknown as { task: { type: string; value: { card: { content: CardJson } } } }
    ).task;
    expect(task.type).toBe('continue');
    const form = task.value.card.content;
    seen.push({ where: 'message action form', card: form });
    const description = (form.body ?? []).find((e) => e.id === 'description') as { value: string };
    expect(description.value).toBe(
      `Password is hunter2 & shared\nin [chat](x)\n\nMessage from Pat Doe: ${link}`,
    );
    const submit = (form.actions ?? [])[0] as { type: string; data: { formId: string } };
    expect(submit.type).toBe('Action.Submit');

    const inputs = {
      formId: submit.data.formId,
      ...reportInputs({ title: 'Password shared in chat', description: description.value }),
    };
    const send = () =>
      post(h.rectify.url, {
        ...invokeActivity('otherReporter', connector.url, '', {}),
        name: 'composeExtension/submitAction',
        value: { commandId: 'reportMessage', commandContext: 'message', data: inputs },
      });
    const done = await send();
    expect((done.body as unknown as { task: { type: string } }).task.type).toBe('message');
    await send();
    const list = await (await h.as('mr')).get('/api/cars?q=hunter2');
    expect((list.body as { items: { report: { description: string } }[] }).items).toHaveLength(1);
  });

  it('notifies the MR of a new report, the reporter of a state change and an owner of an action, once each', async () => {
    for (const who of ['mr', 'reporter', 'owner'] as const) await say(who, 'help');
    const toMr = () => connector.notificationsTo(conversationOf('mr'));
    const toReporter = () => connector.notificationsTo(conversationOf('reporter'));
    const toOwner = () => connector.notificationsTo(conversationOf('owner'));
    const mentions = (cards: CardJson[], text: string, also = '') =>
      cards.filter(
        (c) => textsOf(c).some((t) => t.includes(text)) && textsOf(c).some((t) => t.includes(also)),
      );

    const { carId } = await reportViaBot('reporter', { title: 'Notify me please' });
    await eventually(() => mentions(toMr(), 'Notify me please').length > 0);
    const triage = mentions(toMr(), 'Notify me please')[0] as CardJson;
    seen.push({ where: 'notification to the MR', card: triage });
    expect(verbsOf(triage)).toEqual(expect.arrayContaining(['car.record', 'car.reject']));

    let card = await act('mr', 'car.record', {
      ...dataOf(triage, 'car.record'),
      classification: 'minor_nc',
      severity: 'low',
    });
    const moved = () => mentions(toReporter(), 'Your report moved on', 'Notify me please');
    await eventually(() => moved().length > 0);
    const status = moved()[0] as CardJson;
    seen.push({ where: 'notification to the reporter', card: status });
    expect(textsOf(status).join(' ')).toContain('Recorded as a CAR');
    expect(verbsOf(status)).toEqual([]);

    card = await act('mr', 'car.startInvestigation', dataOf(card, 'car.startInvestigation'));
    await act('mr', 'car.addAction', {
      ...dataOf(card, 'car.addAction'),
      actionKind: 'corrective',
      actionTitle: 'Notify owners',
      actionOwner: people.owner.id,
    });
    await eventually(() => mentions(toOwner(), 'Notify owners').length > 0);
    seen.push({
      where: 'notification to the owner',
      card: mentions(toOwner(), 'You have been given an action')[0] as CardJson,
    });

    // A report through the REST API notifies too: the notifier reads the audit trail.
    const viaApi = await (
      await h.as('otherReporter')
    ).post('/api/cars', {
      type: 'near_miss',
      relatesTo: ['equipment'],
      title: 'Reported in the tab',
      description: 'x',
    });
    expect(viaApi.status).toBe(201);
    await eventually(() => mentions(toMr(), 'Reported in the tab').length > 0);

    await new Promise((r) => setTimeout(r, 800));
    expect(mentions(toMr(), 'Notify me please')).toHaveLength(1);
    expect(mentions(toOwner(), 'Notify owners')).toHaveLength(1);
    expect((await carState(carId)).state).toBe('investigating');
  });

  it('asks a newly named consultee on a card, once, stores their answer and refuses anyone else', async () => {
    for (const who of ['mr', 'otherOwner', 'owner'] as const) await say(who, 'help');
    const toConsultee = () =>
      connector
        .notificationsTo(conversationOf('otherOwner'))
        .filter((c) => textsOf(c).some((t) => t.includes('Consult me')));
    const { carId } = await reportViaBot('reporter', {
      title: 'Consult me',
      confidential: 'true',
    });
    let card = await act('mr', 'car.refresh', { carId });
    card = await act('mr', 'car.record', {
      ...dataOf(card, 'car.record'),
      classification: 'minor_nc',
      severity: 'low',
    });
    card = await act('mr', 'car.startInvestigation', dataOf(card, 'car.startInvestigation'));
    const investigation = {
      why1: 'The badge reader was offline',
      consultees: people.otherOwner.id,
      similarDone: 'false',
    };
    card = await act('mr', 'car.investigation', {
      ...dataOf(card, 'car.investigation'),
      ...investigation,
    });

    await eventually(() => toConsultee().length > 0);
    const asked = toConsultee()[0] as CardJson;
    seen.push({ where: 'notification to a consultee', card: asked });
    const askedTexts = textsOf(asked).join('\n');
    expect(askedTexts).toContain('You are consulted on this investigation');
    expect(askedTexts).toContain('The badge reader was offline');
    expect(verbsOf(asked)).toEqual(['car.consulteeInput']);

    const answered = await act('otherOwner', 'car.consulteeInput', {
      ...dataOf(asked, 'car.consulteeInput'),
      answer: 'Nobody reported the reader as broken',
    });
    expect(textsOf(answered).join('\n')).toContain('Nobody reported the reader as broken');
    const inputs = () =>
      carState(carId).then(
        (c) =>
          (c.body.investigation as { consulteeInputs: { by: { id: string }; answer: string }[] })
            .consulteeInputs,
      );
    expect(await inputs()).toMatchObject([
      { by: { id: people.otherOwner.id }, answer: 'Nobody reported the reader as broken' },
    ]);
    // The MR reads the answer on their card.
    card = await act('mr', 'car.refresh', { carId });
    expect(textsOf(card).join('\n')).toContain('Nobody reported the reader as broken');

    // Forged invokes: an action owner who may not read the confidential CAR, the reporter
    // (who may read it but was not consulted) and the MR (who names consultees, not answers).
    const { etag } = await carState(carId);
    const forge = (who: Who) =>
      act(who, 'car.consulteeInput', { carId, etag, answer: `Forged by ${who}` });
    expect(textsOf(await forge('owner')).join(' ')).toMatch(/No such report or CAR/);
    expect(textsOf(await forge('reporter')).join(' ')).toMatch(/You may not do that/);
    expect(textsOf(await forge('mr')).join(' ')).toMatch(/Only the people consulted/);
    expect(await inputs()).toHaveLength(1);

    // Saving the investigation again does not ask the same consultee twice.
    await act('mr', 'car.investigation', {
      ...dataOf(card, 'car.investigation'),
      ...investigation,
    });
    await new Promise((r) => setTimeout(r, 800));
    expect(toConsultee()).toHaveLength(1);
  });

  it('shows an unknown CAR number as not found', async () => {
    expect(textsOf(await say('reporter', 'status CAR-2026-9999')).join(' ')).toMatch(
      /No such report or CAR/,
    );
  });

  it('produces only cards that the adaptivecards library parses and validates without a problem', () => {
    expect(seen.length).toBeGreaterThan(30);
    const problems = seen
      .map(({ where, card }) => ({ where, problems: cardProblems(card) }))
      .filter((x) => x.problems.length > 0);
    expect(problems).toEqual([]);
    for (const { card } of seen) expect(card.version).toBe('1.5');
  });
});

describe('the bot with Bot Framework credentials', () => {
  it('validates the Bot Framework token: an activity without one gets 401', async () => {
    const withCredentials = await startHarness({
      BOT_ID: '22222222-2222-4222-8222-222222222222',
      BOT_PASSWORD: 'secret',
    });
    try {
      const res = await post(
        withCredentials.rectify.url,
        messageActivity('reporter', 'http://127.0.0.1:9', 'help'),
      );
      expect(res.status).toBe(401);
      const forged = await fetch(`${withCredentials.rectify.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not.a.token' },
        body: JSON.stringify(messageActivity('reporter', 'http://127.0.0.1:9', 'help')),
      });
      expect(forged.status).toBe(401);
    } finally {
      await withCredentials.close();
    }
  });
});
