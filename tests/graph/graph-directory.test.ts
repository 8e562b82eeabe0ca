import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CachedDirectory } from '../../src/application/cached-directory.js';
import { PeopleQuerySchema } from '../../src/application/ports/directory.js';
import { RectifyError } from '../../src/domain/errors.js';
import { SAMPLE_GROUPS } from '../../src/infrastructure/auth/sample-people.js';
import { createGraphConnection } from '../../src/infrastructure/graph/graph-client.js';
import { GraphDirectory } from '../../src/infrastructure/graph/graph-directory.js';
import { describeDirectoryContract } from '../contract/directory.contract.js';
import { directoryOf, seedSampleDirectory } from './emulator/directory-routes.js';
import { GraphEmulator } from './emulator/graph-emulator.js';

async function start(): Promise<{ emulator: GraphEmulator; directory: GraphDirectory }> {
  const emulator = new GraphEmulator();
  const url = await emulator.listen();
  seedSampleDirectory(emulator);
  const connection = createGraphConnection({
    baseUrl: url,
    accessToken: () => Promise.resolve('emulator-token'),
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  return { emulator, directory: new GraphDirectory(connection) };
}

describeDirectoryContract('GraphDirectory on the Graph emulator', async () => {
  const { emulator, directory } = await start();
  return { directory, close: () => emulator.close() };
});

const q = (text: string, limit?: number) => PeopleQuerySchema.parse({ q: text, limit });

describe('GraphDirectory, as Graph sees it', () => {
  let emulator: GraphEmulator;
  let directory: GraphDirectory;
  beforeAll(async () => {
    ({ emulator, directory } = await start());
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('searches with ConsistencyLevel eventual and selects only the basic profile', async () => {
    emulator.resetLog();
    await directory.searchPeople(q('pri'));
    const [entry] = emulator.log;
    expect(entry?.status).toBe(200);
    expect(entry?.path).toBe('/users');
    // The emulator refuses $search without the header and $select beyond User.ReadBasic.All.
    const plain = await fetch(`${emulator.url}/users?$search=%22displayName:pri%22`);
    expect(plain.status).toBe(400);
    const wide = await fetch(`${emulator.url}/users?$select=id,jobTitle`);
    expect(wide.status).toBe(403);
  });

  it('works with the least privileges and nothing more', () => {
    expect([...directoryOf(emulator).granted].sort()).toEqual([
      'GroupMember.Read.All',
      'User.ReadBasic.All',
    ]);
  });

  it('waits out a storm of 429 and 503 answers', async () => {
    emulator.fail({ status: 429, retryAfterSeconds: 0, times: 3, pathIncludes: '/users' });
    emulator.fail({ status: 503, retryAfterSeconds: 0, times: 1, pathIncludes: '/users' });
    emulator.resetLog();
    expect((await directory.searchPeople(q('sam'))).map((p) => p.name)).toEqual(['Sam Taylor']);
    expect(emulator.log.map((e) => e.status)).toEqual([429, 429, 429, 503, 200]);
  });

  it('says the directory is unavailable, with a stable code, when Graph refuses', async () => {
    directoryOf(emulator).granted.delete('User.ReadBasic.All');
    try {
      await expect(directory.searchPeople(q('sam'))).rejects.toMatchObject({
        code: 'DIRECTORY.UNAVAILABLE',
      });
    } finally {
      directoryOf(emulator).granted.add('User.ReadBasic.All');
    }
    await expect(directory.searchPeople(q('sam'))).resolves.toHaveLength(1);
  });

  it('follows every page of a large group and keeps only people', async () => {
    const dir = directoryOf(emulator);
    const many = Array.from({ length: 1_203 }, (_, n) =>
      dir.addUser({ displayName: `Trainee ${String(n).padStart(4, '0')}` }),
    );
    const group = dir.addGroup('All trainees', [
      ...many.map((u) => u.id),
      SAMPLE_GROUPS[0]?.id ?? '',
    ]);
    dir.maxPageSize = 100;
    emulator.resetLog();
    let members;
    try {
      members = await directory.groupMembers(group.id);
    } finally {
      dir.maxPageSize = 999;
    }
    // MAX_GROUP_MEMBERS bounds the expansion; the pages were followed up to it, no further.
    expect(members).toHaveLength(500);
    expect(new Set(members?.map((m) => m.id)).size).toBe(500);
    expect(members?.every((m) => m.name.startsWith('Trainee'))).toBe(true);
    expect(emulator.log.filter((e) => e.path.includes('/members'))).toHaveLength(5);
    const small = dir.addGroup(
      'Night shift',
      many.slice(0, 3).map((u) => u.id),
    );
    expect((await directory.groupMembers(small.id))?.map((m) => m.name)).toEqual([
      'Trainee 0000',
      'Trainee 0001',
      'Trainee 0002',
    ]);
  });

  it('is asked once per query while the cache holds it', async () => {
    let now = 0;
    const cached = new CachedDirectory(directory, { now: () => new Date(now) }, { ttlMs: 1_000 });
    emulator.resetLog();
    await cached.searchPeople(q('maria'));
    await cached.searchPeople(q('  MARIA '));
    expect(emulator.log).toHaveLength(1);
    now = 1_001;
    await cached.searchPeople(q('maria'));
    expect(emulator.log).toHaveLength(2);
  });

  it('does not keep a failed answer in the cache', async () => {
    const cached = new CachedDirectory(directory, { now: () => new Date(0) });
    directoryOf(emulator).granted.delete('User.ReadBasic.All');
    await expect(cached.searchPeople(q('chris'))).rejects.toBeInstanceOf(RectifyError);
    directoryOf(emulator).granted.add('User.ReadBasic.All');
    expect((await cached.searchPeople(q('chris'))).map((p) => p.name)).toEqual(['Chris Walker']);
  });
});
