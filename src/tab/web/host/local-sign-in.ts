import type { SamplePerson } from '../api/types.js';

/**
 * Local mode: the sample people of `GET /dev/people` stand in for Entra users and
 * `POST /dev/token` for SSO. The chosen person is remembered in this browser.
 */
const KEY = 'rectify.localPerson';

export async function fetchPeople(): Promise<readonly SamplePerson[]> {
  const res = await fetch('/dev/people', { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`The sample people are not available (${res.status})`);
  return ((await res.json()) as { people: SamplePerson[] }).people;
}

export const rememberedPerson = (): string | null => localStorage.getItem(KEY);
export const rememberPerson = (id: string): void => {
  localStorage.setItem(KEY, id);
};

/** A token source for one person, renewing a minute before expiry. */
export function localTokenSource(personId: string): () => Promise<string> {
  let cached: { token: string; until: number } | null = null;
  return async () => {
    if (cached && cached.until > Date.now()) return cached.token;
    const res = await fetch('/dev/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ personId }),
    });
    if (!res.ok) throw new Error(`No token for this person (${res.status})`);
    const body = (await res.json()) as { access_token: string; expires_in: number };
    cached = { token: body.access_token, until: Date.now() + (body.expires_in - 60) * 1000 };
    return cached.token;
  };
}
