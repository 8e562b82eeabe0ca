import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { LocalFolderProcedureLibrary } from '../../src/infrastructure/procedures/local-folder-library.js';
import { proceduresApp } from '../support/procedure-listing.js';

const app = proceduresApp(new LocalFolderProcedureLibrary(path.resolve('procedures')));
const as = (token: string) => ({
  get: (url: string) => request(app).get(url).set('Authorization', `Bearer ${token}`),
});

describe('the procedure routes', () => {
  it('list the procedures in force for every member, with training and problems for the MR only', async () => {
    const member = await as('token-member').get('/api/procedures');
    expect(member.status).toBe(200);
    const body = member.body as {
      items: { docId: string; training?: unknown; revisionInForce: { versionName: string } }[];
      problems?: unknown;
    };
    expect(body.items.map((p) => [p.docId, p.revisionInForce.versionName])).toEqual([
      ['HLP-01', '1.1.0'],
      ['HLP-02', '1.0.0'],
      ['HLP-03', '1.1.0'],
      ['HLP-04', '1.0.0'],
      ['HLP-05', '1.0.0'],
    ]);
    expect(body.problems).toBeUndefined();
    expect(body.items[0]?.training).toBeUndefined();

    const mr = await as('token-mr').get('/api/procedures');
    const mrBody = mr.body as { items: { training: { people: unknown[] } }[]; problems: unknown[] };
    expect(mrBody.problems).toEqual([]);
    expect(mrBody.items[0]?.training.people).toHaveLength(2);
  });

  it('give one procedure with every revision and a link to its text', async () => {
    const res = await as('token-member').get('/api/procedures/hlp-01');
    expect(res.status).toBe(200);
    const body = res.body as {
      revisionInForce: string;
      revisions: { versionName: string; links: { content: string } }[];
    };
    expect(body.revisionInForce).toBe('1.1.0');
    expect(body.revisions.map((r) => r.versionName)).toEqual(['1.0.0', '1.1.0']);
    const content = await as('token-member').get(body.revisions[0]?.links.content ?? '');
    expect(content.status).toBe(200);
    expect(content.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(content.text).toContain('Revision: 1.0.0');
  });

  it('answer problem+json for what does not exist, and 401 without a token', async () => {
    const missing = await as('token-member').get('/api/procedures/HLP-77');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect((missing.body as { code: string }).code).toBe('PROCEDURE.NOT_FOUND');
    const noVersion = await as('token-member').get('/api/procedures/HLP-01/revisions/3.0/content');
    expect((noVersion.body as { code: string }).code).toBe('PROCEDURE.REVISION_NOT_FOUND');
    const traversal = await as('token-member').get(
      '/api/procedures/HLP-01/revisions/..%2F..%2Fpackage.json/content',
    );
    expect(traversal.status).toBe(404);
    expect((await request(app).get('/api/procedures')).status).toBe(401);
  });

  it('say the library is unavailable without telling where it is', async () => {
    const broken = proceduresApp(
      new LocalFolderProcedureLibrary('/nonexistent/rectify-procedures'),
    );
    const res = await request(broken)
      .get('/api/procedures')
      .set('Authorization', 'Bearer token-mr');
    expect(res.status).toBe(500);
    expect((res.body as { code: string }).code).toBe('PROCEDURE.LIBRARY_UNAVAILABLE');
    expect(JSON.stringify(res.body)).not.toContain('nonexistent');
  });
});
