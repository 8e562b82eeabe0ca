import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { STATE_LIST } from '../../src/infrastructure/graph/rectify-lists.js';
import {
  conversationOf,
  dataOf,
  eventually,
  invokeActivity,
  messageActivity,
  post,
  startConnector,
  textsOf,
  verbsOf,
  type CardJson,
  type FakeConnector,
} from '../bot/bot-client.js';
import { aReportBody, startHarness, type Harness, type Who } from '../support/rectify-harness.js';
import { startEmulatedTenant, type EmulatedTenant } from './support/emulated-tenant.js';

/**
 * Two Rectify instances in SharePoint mode on one emulated site, each with its own data folder:
 * whatever the bot must share (processed card actions, conversations, the notification outbox
 * and its cursor) is on the site, and nothing of the bot's is on either local file.
 */
describe('the bot with STORE=sharepoint on two instances', () => {
  let dir: string;
  let tenant: EmulatedTenant;
  let one: Harness;
  let two: Harness;
  let connector: FakeConnector;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rectify-sp-bot-'));
    tenant = await startEmulatedTenant({ dir });
    cleanups.push(() => tenant.close());
    connector = await startConnector();
    cleanups.push(() => connector.close());
    one = await startHarness({ ...tenant.env });
    cleanups.push(() => one.close());
    two = await startHarness({ ...tenant.env });
    cleanups.push(() => two.close());
  }, 120_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const act = async (
    on: Harness,
    who: Who,
    verb: string,
    data: Record<string, unknown>,
    id?: string,
  ): Promise<CardJson> => {
    const res = await post(on.rectify.url, invokeActivity(who, connector.url, verb, data, id));
    expect(res.status).toBe(200);
    expect(res.body?.statusCode).toBe(200);
    return res.body?.value as CardJson;
  };

  const say = async (on: Harness, who: Who, text: string): Promise<void> => {
    const res = await post(on.rectify.url, messageActivity(who, connector.url, text));
    expect(res.status).toBe(200);
  };

  const historyLength = async (id: string): Promise<number> =>
    ((await (await one.as('mr')).get(`/api/cars/${id}/history`)).body as unknown[]).length;

  const reportThroughApi = async (on: Harness, title: string): Promise<string> => {
    const res = await (await on.as('reporter')).post('/api/cars', aReportBody({ title }));
    expect(res.status).toBe(201);
    return (res.body as { id: string }).id;
  };

  it('changes state once when the same card action reaches both instances', async () => {
    const carId = await reportThroughApi(one, 'Shared admin password');
    const card = await act(one, 'mr', 'car.refresh', { carId });
    const invokeId = randomUUID();
    const data = { ...dataOf(card, 'car.record'), classification: 'ofi', severity: 'low' };

    const first = await act(one, 'mr', 'car.record', data, invokeId);
    const entries = await historyLength(carId);
    const again = await act(two, 'mr', 'car.record', data, invokeId);

    expect(textsOf(first).join(' ')).toMatch(/Saved/);
    // Not "out of date": the second instance knew the action was done, it did not try again.
    expect(textsOf(again).join(' ')).not.toMatch(/out of date|Saved/);
    expect(verbsOf(again)).toContain('car.startInvestigation');
    expect(await historyLength(carId)).toBe(entries);
  });

  it('notifies once with both instances running, through a conversation learnt by the other', async () => {
    await say(one, 'mr', 'help');
    const title = `Notify once ${randomUUID().slice(0, 8)}`;
    const toMr = () =>
      connector
        .notificationsTo(conversationOf('mr'))
        .filter((c) => textsOf(c).some((t) => t.includes(title)));

    await reportThroughApi(two, title);

    await eventually(() => toMr().length > 0, 15_000);
    // Both notifiers keep running; give them time to send it a second time if they would.
    await new Promise((r) => setTimeout(r, 1500));
    expect(toMr()).toHaveLength(1);
    const outbox = [
      ...(tenant.emulator.listByName(STATE_LIST.displayName)?.items.values() ?? []),
    ].filter((i) => String(i.fields.Title).startsWith('outbox.notify:report:'));
    expect(outbox.length).toBeGreaterThan(0);
  }, 30_000);

  it('does not even open a local file in SharePoint mode', () => {
    for (const h of [one, two]) expect(existsSync(h.config.databaseFile)).toBe(false);
  });
});
