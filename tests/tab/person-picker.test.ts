import { describe, expect, it, jest } from '@jest/globals';
import { seriousAxeViolations } from './support/tab-browser.js';
import { useTabFixture } from './support/tab-fixture.js';

/** The MR's people picker: the directory searched as they type, keyboard and screen reader. */
jest.setTimeout(60_000);
const tab = useTabFixture();

async function anInvestigatingCar(): Promise<string> {
  const reporter = await tab.h.as('reporter');
  const created = await reporter.post('/api/cars', {
    type: 'policy_nonconformance',
    relatesTo: ['procedure'],
    source: 'member_report',
    title: 'Supplier laptop left unlocked',
    description: 'A supplier laptop was left unlocked in the meeting room.',
    occurredAt: null,
    location: '',
    affected: '',
    immediateAction: '',
    confidential: false,
  });
  const id = (created.body as { id: string }).id;
  const mr = await tab.h.as('mr');
  for (const [path, body] of [
    ['/record', { classification: 'minor_nc', severity: 'low' }],
    ['/start-investigation', {}],
  ] as const) {
    const etag = (await mr.get(`/api/cars/${id}`)).headers.etag ?? '';
    const res = await mr.post(`/api/cars/${id}${path}`, body).set('If-Match', etag);
    expect(res.status).toBe(200);
  }
  return id;
}

describe("the MR's people picker", () => {
  it('finds a guest by three letters and picks them with the keyboard, axe clean', async () => {
    const id = await anInvestigatingCar();
    const { page, problems } = await tab.open('mr', { path: `/cars/${id}` });
    const owner = page.getByRole('combobox', { name: 'Owner' });
    await owner.fill('lar');
    const listbox = page.getByRole('listbox');
    await listbox.getByRole('option', { name: /Lars Berg \(Fabrikam\)/ }).waitFor();
    // Initials, the address and "Guest" are shown with the name.
    await expect(listbox.innerText()).resolves.toMatch(
      /LB\s+Lars Berg \(Fabrikam\)\s+lars\.berg@fabrikam\.example · Guest/,
    );
    await page.getByText('1 person found').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await owner.press('ArrowDown');
    await owner.press('Enter');
    await expect(owner.inputValue()).resolves.toBe('Lars Berg (Fabrikam)');
    await page
      .getByRole('textbox', { name: 'Action title' })
      .fill('Lock screens on supplier laptops');
    await page.getByRole('button', { name: 'Add action' }).click();
    await page.getByText('Lock screens on supplier laptops').first().waitFor();
    const car = (await (await tab.h.as('mr')).get(`/api/cars/${id}`)).body as {
      actions: { owner: { id: string; name: string } }[];
    };
    expect(car.actions[0]?.owner).toEqual({
      id: '7a9c1e3f-5b7d-4f9a-b1c3-d5e7f9a1b3c5',
      name: 'Lars Berg (Fabrikam)',
    });
    expect(problems).toEqual([]);
  });

  it('says so when nobody matches, and never offers an id to type', async () => {
    const id = await anInvestigatingCar();
    const { page, problems } = await tab.open('mr', { path: `/cars/${id}` });
    await page.getByRole('combobox', { name: 'Owner' }).fill('zzq');
    await page.getByText('Nobody found: try the start of a first or last name.').waitFor();
    await expect(page.getByRole('textbox', { name: /object id/i }).count()).resolves.toBe(0);
    expect(problems).toEqual([]);
  });
});
