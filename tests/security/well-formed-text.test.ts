import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { people, startHarness, type Harness } from '../support/rectify-harness.js';
import {
  invokeActivity,
  messageActivity,
  post,
  startConnector,
  type FakeConnector,
} from '../bot/bot-client.js';
import { etagOf, report } from '../http/steps.js';
import { auditVerify } from './audit-verify-run.js';
import { expectProblem } from './problem.js';

let h: Harness;
let connector: FakeConnector;
beforeAll(async () => {
  connector = await startConnector();
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
  await connector.close();
});

const historyOf = async (id: string): Promise<unknown[]> =>
  ((await (await h.as('mr')).get(`/api/cars/${id}/history`)).body as { items: unknown[] }).items;

describe('text that could not be stored as written', () => {
  it('refuses a lone surrogate in the reason of a command, changes nothing, and the trail stays intact', async () => {
    const car = await report(h);
    const etag = await etagOf(h, car.id);
    const before = await historyOf(car.id);

    const res = await (
      await h.as('mr')
    )
      .post(`/api/cars/${car.id}/record`, {
        classification: 'minor_nc',
        severity: 'low',
        reason: 'Triage \ud800 done',
      })
      .set('If-Match', etag);

    expectProblem(res, 400, 'REQUEST.VALIDATION');
    expect(res.body).toMatchObject({
      errors: [{ field: 'reason', message: expect.stringMatching(/well-formed/) }],
    });
    expect(await etagOf(h, car.id)).toBe(etag);
    expect(await historyOf(car.id)).toEqual(before);
    const verify = auditVerify(path.join(h.dataDir, 'rectify.db'));
    expect(verify.output).toMatch(/intact/);
    expect(verify.status).toBe(0);
  });

  it('refuses NUL and a lone low surrogate in report fields and in object keys', async () => {
    const reporter = await h.as('reporter');
    for (const body of [
      { title: 'Badge\u0000lost' },
      { description: '\udc00 tail' },
      { location: 'ok', ['bad\ud800key']: 'x' },
    ]) {
      const res = await reporter.post('/api/cars', {
        type: 'policy_nonconformance',
        relatesTo: ['procedure'],
        title: 'A title',
        description: 'A description',
        ...body,
      });
      expectProblem(res, 400, 'REQUEST.VALIDATION');
    }
  });

  it('refuses an ill-formed query value and an ill-formed path parameter', async () => {
    const mr = await h.as('mr');
    expectProblem(await mr.get('/api/cars?q=%00'), 400, 'REQUEST.VALIDATION');
    expectProblem(await mr.get('/api/cars/%00'), 400, 'REQUEST.PATH_INVALID');
  });

  it('keeps RTL, zero-width and emoji text and stores it normalised to NFC', async () => {
    const title = '\u202eBadge \u200d lost \ud83d\udd11 Zoe\u0301';
    const car = await report(h, 'reporter', {
      title,
      description: '\u0645\u0631\u062d\u0628\u0627 \u2068x\u2069',
    });

    expect((car.report as { title: string }).title).toBe(title.normalize('NFC'));
    expect((car.report as { title: string }).title).toContain('Zo\u00e9');
    expect((car.report as { description: string }).description).toBe(
      '\u0645\u0631\u062d\u0628\u0627 \u2068x\u2069',
    );
  });
});

describe("the bot and Teams' display name", () => {
  it('refuses an activity whose display name holds a lone surrogate', async () => {
    const message = messageActivity('reporter', connector.url, 'help');
    const forged = {
      ...message,
      from: { ...((message as Record<string, unknown>).from as object), name: 'Alex \ud800' },
    };

    const res = await post(h.rectify.url, forged);

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'REQUEST.ACTIVITY_INVALID',
      correlationId: expect.stringMatching(/\S/),
    });
  });

  it('refuses a card submission by a person whose display name is ill-formed: no report is stored', async () => {
    const mine = async () =>
      ((await (await h.as('otherReporter')).get('/api/cars')).body as { items: unknown[] }).items
        .length;
    const count = await mine();
    const invoke = invokeActivity('otherReporter', connector.url, 'report.submit', {
      formId: 'form-0123456789',
      type: 'policy_nonconformance',
      relatesTo: 'procedure',
      title: 'Door left open',
      description: 'The server room door was open.',
    });
    const forged = {
      ...invoke,
      from: { ...((invoke as Record<string, unknown>).from as object), name: '\udfff Priya' },
    };

    const res = await post(h.rectify.url, forged);

    expect(res.status).toBe(400);
    expect(await mine()).toBe(count);
    // The same submission with a real name goes through, under the NFC name.
    const ok = await post(h.rectify.url, {
      ...invoke,
      from: {
        ...((invoke as Record<string, unknown>).from as object),
        name: people.otherReporter.name,
      },
    });
    expect(ok.status).toBe(200);
    expect(await mine()).toBe(count + 1);
    const verify = auditVerify(path.join(h.dataDir, 'rectify.db'));
    expect(verify.status).toBe(0);
  });
});
