import { z } from 'zod';
import { carFactsOf, type CarScan, type ScannedCar } from '../../application/ports/car-scan.js';
import { C } from './rectify-lists.js';
import type { SharePointListClient } from './sharepoint-list-client.js';

/** SharePoint answers at most this many items per page of a list query. */
const MAX_PAGE = 5000;
const DEFAULT_PAGE = 1000;

const EnvelopeHead = z.object({ v: z.literal(1), car: z.unknown() });

/**
 * Pages through the CARs list for analysis: no filter and no ordering, so the 5,000-item
 * list view threshold never applies, and only the two columns a scan needs are read. Each page
 * of items is one batch; the item's ETag is the one a later If-Match write needs.
 */
export class GraphCarScan implements CarScan {
  constructor(
    private readonly lists: SharePointListClient,
    private readonly ids: { readonly cars: string },
  ) {}

  async *scan(options: { readonly batchSize?: number } = {}): AsyncGenerator<ScannedCar[]> {
    const top = Math.min(MAX_PAGE, Math.max(1, options.batchSize ?? DEFAULT_PAGE));
    const pages = this.lists.queryItems(this.ids.cars, { select: [C.carId, C.record], top });
    for await (const page of pages) {
      yield page.map((item) => {
        const carId = item.fields[C.carId];
        const record = item.fields[C.record];
        if (typeof carId !== 'string' || typeof record !== 'string')
          throw new Error(`CAR list item ${item.id} has no CAR id or record`);
        let json: unknown;
        try {
          json = JSON.parse(record) as unknown;
        } catch (e) {
          throw new Error(`CAR list item ${item.id} holds a record that is not JSON`, { cause: e });
        }
        const envelope = EnvelopeHead.safeParse(json);
        if (!envelope.success)
          throw new Error(`CAR list item ${item.id} holds a record of an unknown version`);
        return { car: carFactsOf(carId, envelope.data.car), etag: item.etag };
      });
    }
  }
}
