import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { carOfLink } from '../../src/bot/message-extension.js';
import { act, report } from '../http/steps.js';
import { startHarness, type Harness, type Who } from '../support/rectify-harness.js';
import {
  cardProblems,
  envelope,
  post,
  startConnector,
  textsOf,
  type FakeConnector,
} from './bot-client.js';

/**
 * The message extension through real invoke activities on /api/messages, as Teams sends them:
 * composeExtension/query (search), composeExtension/queryLink (unfurl) and
 * composeExtension/anonymousQueryLink.
 */
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

interface Attachment {
  contentType: string;
  content: Record<string, unknown>;
  preview?: { content: { title: string; text: string } };
}
interface ExtensionAnswer {
  composeExtension: { type: string; attachments?: Attachment[]; text?: string };
  cacheInfo?: { cacheType: string; cacheDuration?: number };
}

async function invoke(who: Who, name: string, value: object): Promise<ExtensionAnswer> {
  const res = await post(h.rectify.url, {
    ...envelope(who, connector.url),
    type: 'invoke',
    name,
    value,
  });
  expect(res.status).toBe(200);
  return res.body as unknown as ExtensionAnswer;
}

const searchFor = (who: Who, text: string) =>
  invoke(who, 'composeExtension/query', {
    commandId: 'searchCars',
    parameters: [{ name: 'searchQuery', value: text }],
    queryOptions: { skip: 0, count: 25 },
  });

const unfurl = (who: Who, url: string) => invoke(who, 'composeExtension/queryLink', { url });

describe('the search command', () => {
  it('finds CARs the user may see, as Adaptive Card 1.3 results', async () => {
    await report(h, 'reporter', { title: 'Shredder bin left unlocked 🔓' });
    const answer = await searchFor('reporter', 'Shredder bin');
    expect(answer.composeExtension.type).toBe('result');
    const found = answer.composeExtension.attachments ?? [];
    expect(found.length).toBeGreaterThanOrEqual(1);
    const first = found[0] as Attachment;
    expect(first.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(first.content.version).toBe('1.3');
    expect(cardProblems(first.content)).toEqual([]);
    expect(textsOf(first.content)).toContain('Shredder bin left unlocked 🔓');
    expect(first.preview?.content.text).toMatch(/Shredder bin/);
    // Only what matches the words: the reporter's other reports stay out.
    expect(JSON.stringify(found)).not.toContain('Visitor badge not returned');
  });

  it("does not find another person's report", async () => {
    await report(h, 'otherReporter', { title: 'Laptop left in taxi' });
    const answer = await searchFor('reporter', 'Laptop left in taxi');
    expect(answer.composeExtension.attachments).toEqual([]);
  });

  it('refuses an over-long query with a message and no results', async () => {
    const answer = await searchFor('reporter', 'x'.repeat(500));
    expect(answer.composeExtension.type).toBe('message');
  });

  it('answers nothing to an activity from a tenant outside the allow-list', async () => {
    const res = await post(h.rectify.url, {
      ...envelope('mr', connector.url, 'f00dbabe-0000-4000-8000-000000000000'),
      type: 'invoke',
      name: 'composeExtension/query',
      value: { commandId: 'searchCars', parameters: [{ name: 'searchQuery', value: 'a' }] },
    });
    expect(res.status).toBe(403);
  });
});

describe('link unfurling', () => {
  it('unfurls a Rectify CAR link and a Teams deep link to a CAR the user may see', async () => {
    const car = await report(h, 'reporter', { title: 'Tailgating at the loading bay' });
    const recorded = await act(h, 'mr', car, '/record', {
      classification: 'minor_nc',
      severity: 'low',
    });
    const number = recorded.number ?? '';
    const links = [
      `https://rectify.contoso.example/cars/${number}`,
      `https://teams.microsoft.com/l/entity/app-id/rectify?context=${encodeURIComponent(JSON.stringify({ subEntityId: number }))}`,
    ];
    for (const link of links) {
      const answer = await unfurl('reporter', link);
      const [card] = answer.composeExtension.attachments ?? [];
      expect(card?.content.version).toBe('1.3');
      expect(cardProblems(card?.content)).toEqual([]);
      expect(textsOf(card?.content)).toEqual(
        expect.arrayContaining([number, 'Tailgating at the loading bay']),
      );
      expect(answer.cacheInfo).toEqual({ cacheType: 'cache', cacheDuration: 1800 });
    }
  });

  it('reveals nothing of a CAR the user may not see, just as for one that does not exist', async () => {
    const secret = await report(h, 'reporter', {
      title: 'Payroll export mailed outside',
      confidential: true,
    });
    const other = await unfurl(
      'otherReporter',
      `https://rectify.contoso.example/cars/${secret.id}`,
    );
    const missing = await unfurl(
      'otherReporter',
      'https://rectify.contoso.example/cars/00000000-0000-4000-8000-000000000000',
    );
    expect(other).toEqual(missing);
    expect(other.composeExtension.attachments).toEqual([]);
    expect(other.cacheInfo).toEqual({ cacheType: 'no-cache' });
    expect(JSON.stringify(other)).not.toContain('Payroll');
  });

  it('shows a confidential CAR to its reporter without its title, and never caches it', async () => {
    const secret = await report(h, 'reporter', {
      title: 'Board minutes on a USB stick',
      confidential: true,
    });
    const answer = await unfurl('reporter', `https://rectify.contoso.example/cars/${secret.id}`);
    expect(answer.composeExtension.attachments).toHaveLength(1);
    expect(JSON.stringify(answer)).not.toContain('Board minutes');
    expect(answer.cacheInfo).toEqual({ cacheType: 'no-cache' });
  });

  it('gives no data to an anonymous request', async () => {
    const car = await report(h, 'reporter', { title: 'Door propped open' });
    const answer = await invoke('reporter', 'composeExtension/anonymousQueryLink', {
      url: `https://rectify.contoso.example/cars/${car.id}`,
    });
    expect(answer.composeExtension.attachments).toEqual([]);
    expect(JSON.stringify(answer)).not.toContain('Door propped');
  });

  it('reads CAR links and nothing else', () => {
    expect(carOfLink('https://r.example/cars/CAR-2026-0007')).toBe('CAR-2026-0007');
    expect(carOfLink('https://r.example/cars/car-2026-0007/')).toBe('CAR-2026-0007');
    expect(carOfLink('http://r.example/cars/CAR-2026-0007')).toBeNull();
    expect(carOfLink('https://r.example/cars/CAR-2026-0007%00')).toBeNull();
    expect(carOfLink('https://r.example/cars/%E0%A4%A')).toBeNull();
    expect(carOfLink('https://r.example/cars/..%2F..%2Fetc')).toBeNull();
    expect(carOfLink('https://teams.microsoft.com/l/entity/a/b?context=%7Bbad')).toBeNull();
    expect(carOfLink('not a url')).toBeNull();
  });
});
