import { join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import Database from 'better-sqlite3';
import { report } from '../http/steps.js';
import { screenshot } from './support/tab-browser.js';
import { useTabFixture } from './support/tab-fixture.js';

/** A CAR whose record was changed behind Rectify's back says so, and shows none of it. */
jest.setTimeout(60_000);
const tab = useTabFixture();

describe('the Teams tab', () => {
  it('shows a record that failed its integrity check as such, with none of its content', async () => {
    const car = await report(tab.h, 'reporter', { title: 'Visitor badge not returned' });
    const db = new Database(join(tab.h.dataDir, 'rectify.db'));
    db.prepare(
      "UPDATE cars SET body = json_set(body, '$.report.title', 'Edited behind the product') WHERE id = ?",
    ).run(car.id);
    db.close();

    const { page } = await tab.open('mr', { path: `/cars/${car.id}` });
    const alert = page.getByRole('alert').filter({ hasText: 'Integrity check failed' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('failed its integrity check');
    await expect(page.getByText('Edited behind the product').count()).resolves.toBe(0);
    await screenshot(page, 'mr-integrity-failed');
  });
});
