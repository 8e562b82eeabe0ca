import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { createEntraTokenValidator } from '../../../src/infrastructure/auth/entra-token-validator.js';
import type { TokenValidator } from '../../../src/infrastructure/auth/entra-token-validator.js';
import { LocalIssuer } from '../../../src/infrastructure/auth/local-issuer.js';
import {
  DEFAULT_ROLE_CLAIM_VALUES,
  LOCAL_CLIENT_ID,
  LOCAL_TENANT_ID,
  SAMPLE_PEOPLE,
} from '../../../src/infrastructure/auth/sample-people.js';
import type { SamplePerson } from '../../../src/infrastructure/auth/sample-people.js';
import { startIssuerServer } from './issuer-server.js';
import type { IssuerServer } from './issuer-server.js';

const committeeMember = SAMPLE_PEOPLE.find((p) => p.appRoles.includes('SteeringCommittee'));
const reporter = SAMPLE_PEOPLE.find((p) => p.appRoles.length === 0);

const samplePerson = (person: SamplePerson | undefined): SamplePerson => {
  if (!person) throw new Error('sample people are missing a role');
  return person;
};

const validatorFor = (authorityHost: string): TokenValidator =>
  createEntraTokenValidator({
    authorityHost,
    allowedTenantIds: [LOCAL_TENANT_ID],
    audiences: [LOCAL_CLIENT_ID],
    requiredScope: 'access_as_user',
    roleClaimValues: DEFAULT_ROLE_CLAIM_VALUES,
    roleGroups: { mr: [], committee: [] },
  });

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rectify-local-issuer-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Local issuer', () => {
  it('issues v2 access tokens with the claims Entra ID puts in them', async () => {
    const issuer = await LocalIssuer.create({
      tenantId: LOCAL_TENANT_ID,
      authorityHost: 'http://127.0.0.1:3978/dev/issuer/',
    });
    const person = samplePerson(committeeMember);

    const { accessToken, expiresIn } = await issuer.issueAccessToken(person, {
      audience: LOCAL_CLIENT_ID,
    });

    expect(expiresIn).toBe(3600);
    expect(decodeProtectedHeader(accessToken)).toEqual({
      alg: 'RS256',
      typ: 'JWT',
      kid: issuer.kid,
    });
    const claims = decodeJwt(accessToken);
    expect(claims).toMatchObject({
      iss: `http://127.0.0.1:3978/dev/issuer/${LOCAL_TENANT_ID}/v2.0`,
      aud: LOCAL_CLIENT_ID,
      tid: LOCAL_TENANT_ID,
      oid: person.id,
      name: person.name,
      preferred_username: person.email,
      scp: 'access_as_user',
      roles: ['SteeringCommittee'],
      ver: '2.0',
    });
    expect(claims.sub).not.toBe(person.id);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
  });

  it('leaves the roles claim out for a person without app roles', async () => {
    const issuer = await LocalIssuer.create({
      tenantId: LOCAL_TENANT_ID,
      authorityHost: 'http://127.0.0.1:3978/dev/issuer',
    });

    const { accessToken } = await issuer.issueAccessToken(samplePerson(reporter), {
      audience: LOCAL_CLIENT_ID,
    });

    expect(decodeJwt(accessToken)).not.toHaveProperty('roles');
  });

  describe('served over HTTP', () => {
    let server: IssuerServer;

    beforeAll(async () => {
      server = await startIssuerServer();
    });

    afterAll(async () => {
      await server.close();
    });

    it('serves OpenID metadata for a tenant, like the Entra v2 endpoint', async () => {
      const response = await request(server.app)
        .get(`/issuer/${LOCAL_TENANT_ID}/v2.0/.well-known/openid-configuration`)
        .expect(200);

      expect(response.body).toMatchObject({
        issuer: `${server.authorityHost}/${LOCAL_TENANT_ID}/v2.0`,
        jwks_uri: `${server.authorityHost}/discovery/v2.0/keys`,
        token_endpoint: `${server.authorityHost}/${LOCAL_TENANT_ID}/oauth2/v2.0/token`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    });

    it('serves the public signing key, and no private part of it', async () => {
      const response = await request(server.app).get('/issuer/discovery/v2.0/keys').expect(200);

      expect(response.body).toEqual({
        keys: [
          {
            kty: 'RSA',
            n: server.issuer.publicJwk.n,
            e: 'AQAB',
            kid: server.issuer.kid,
            use: 'sig',
            alg: 'RS256',
          },
        ],
      });
    });

    it('answers 404 problem+json for a tenant that is not a tenant id', async () => {
      const response = await request(server.app)
        .get('/issuer/not-a-tenant/v2.0/.well-known/openid-configuration')
        .expect(404)
        .expect('Content-Type', /application\/problem\+json/);

      expect(response.body).toMatchObject({
        code: 'ROUTE.NOT_FOUND',
        details: { reason: 'invalid_tenant' },
      });
    });
  });

  describe('with a key file', () => {
    it('saves a new key with owner-only permissions, creating the folder', async () => {
      const keyFile = join(dir, 'nested', 'folder', 'issuer-key.json');

      await LocalIssuer.create({
        keyFile,
        tenantId: LOCAL_TENANT_ID,
        authorityHost: 'http://127.0.0.1:3978/dev/issuer',
      });

      const { mode } = await stat(keyFile);
      expect(mode & 0o777).toBe(0o600);
    });

    it('keeps tokens valid after the issuer is recreated from its key file', async () => {
      const server = await startIssuerServer({ keyFile: join(dir, 'restart', 'issuer-key.json') });
      try {
        const { accessToken } = await server.issuer.issueAccessToken(
          samplePerson(committeeMember),
          { audience: LOCAL_CLIENT_ID },
        );
        const kidBefore = server.issuer.kid;

        await server.recreateIssuer();

        expect(server.issuer.kid).toBe(kidBefore);
        // A new validator, so nothing of the old key set is cached.
        await expect(
          validatorFor(server.authorityHost).validate(accessToken),
        ).resolves.toMatchObject({ roles: new Set(['committee']) });
      } finally {
        await server.close();
      }
    });

    it('signs with a new key when recreated without a key file', async () => {
      const server = await startIssuerServer();
      try {
        const { accessToken } = await server.issuer.issueAccessToken(samplePerson(reporter), {
          audience: LOCAL_CLIENT_ID,
        });

        await server.recreateIssuer();

        await expect(
          validatorFor(server.authorityHost).validate(accessToken),
        ).rejects.toMatchObject({
          code: 'AUTH.UNAUTHENTICATED',
          details: { reason: 'signing_key_unknown' },
        });
      } finally {
        await server.close();
      }
    });

    it('refuses to start from a key file that holds no RSA private key', async () => {
      const keyFile = join(dir, 'broken-key.json');
      await writeFile(keyFile, '{"kty":"oct","k":"c2VjcmV0"}');

      await expect(
        LocalIssuer.create({ keyFile, tenantId: LOCAL_TENANT_ID, authorityHost: 'http://x' }),
      ).rejects.toMatchObject({ code: 'CONFIG.INVALID' });
    });
  });
});
