import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { AuditFeed, CarChange } from '../../src/application/ports/audit-feed.js';
import {
  GraphStateStore,
  resolveStateList,
} from '../../src/infrastructure/graph/graph-state-store.js';
import {
  GatedAuditFeed,
  GatedStateStore,
  PollGate,
} from '../../src/infrastructure/graph/poll-gate.js';
import { startGraphFixture, type GraphFixture } from './graph-fixture.js';

/** A feed that answers what the test puts in it and counts how often it was asked. */
class CountingFeed implements AuditFeed {
  reads = 0;
  pending: CarChange[] = [];

  read(): Promise<{ changes: readonly CarChange[]; next: string | null }> {
    this.reads += 1;
    const changes = this.pending.splice(0);
    return Promise.resolve({ changes, next: changes.length > 0 ? String(this.reads) : null });
  }

  head(): Promise<string | null> {
    return Promise.resolve(null);
  }
}

const change = (id: string): CarChange => ({
  id,
  carId: 'car-1',
  operation: 'record',
  actorId: 'mr',
  at: '2026-03-02T09:00:00.000Z',
});

describe('the poll gate (one poller per tenant, backing off when idle)', () => {
  let fixture: GraphFixture;
  let state: GraphStateStore;
  let clock: number;
  const now = (): number => clock;

  beforeEach(async () => {
    fixture = await startGraphFixture();
    state = new GraphStateStore(fixture.lists, await resolveStateList(fixture.lists));
    clock = Date.parse('2026-03-02T09:00:00Z');
  });

  afterEach(async () => {
    await fixture.close();
  });

  it('lets one instance of many poll, and another take over once its lease runs out', async () => {
    const gates = [1, 2, 3].map(
      (n) => new PollGate({ state, now, leaseMs: 120_000, instanceId: `instance-${n}` }),
    );
    const holders = [];
    for (const g of gates) holders.push(await g.holdsLease());
    expect(holders).toEqual([true, false, false]);

    // The first instance stops; the lease runs out and the next one to look takes it.
    clock += 121_000;
    expect(await gates[1]?.holdsLease()).toBe(true);
    expect(await gates[2]?.holdsLease()).toBe(false);
  });

  it('polls an idle feed less and less often, and at once again when something happens', async () => {
    const gate = new PollGate({ state, now, maxMs: 60_000 });
    const inner = new CountingFeed();
    const feed = new GatedAuditFeed(inner, gate);
    // Thirty minutes of a reader that asks every 2 seconds.
    for (let t = 0; t < 900; t += 1) {
      await feed.read(null, 10);
      clock += 2_000;
    }
    const idleReads = inner.reads;

    inner.pending.push(change('w1'));
    gate.noteActivity();
    const found = await feed.read(null, 10);

    // Back-off 1, 2, 4 ... 60 s: about 35 reads instead of 900.
    expect(idleReads).toBeLessThan(45);
    expect(idleReads).toBeGreaterThan(25);
    expect(found.changes.map((c) => c.id)).toEqual(['w1']);
  });

  it('asks SharePoint for due records only when the gate lets it, and passes everything else', async () => {
    const gate = new PollGate({ state, now });
    const gated = new GatedStateStore(state, gate);
    await gated.createIfAbsent({
      key: 'outbox:1',
      kind: 'notify',
      value: { n: 1 },
      dueAt: '2026-03-02T08:00:00.000Z',
    });
    expect((await gated.due('notify', '2026-03-02T09:00:00.000Z', 10)).length).toBe(1);
    fixture.emulator.resetLog();
    // Nothing due any more after it is settled: the next due answers [] without a request.
    const record = await gated.get('outbox:1');
    if (!record) throw new Error('stored');
    await gated.replace('outbox:1', record.etag, { value: { n: 1, settled: true }, dueAt: null });
    expect(await gated.due('notify', '2026-03-02T09:00:00.000Z', 10)).toEqual([]);
    const asked = fixture.emulator.counts().http;
    expect(await gated.due('notify', '2026-03-02T09:00:00.000Z', 10)).toEqual([]);
    expect(fixture.emulator.counts().http).toBe(asked);
  });
});
