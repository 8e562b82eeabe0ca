import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT, base64url, exportSPKI, generateKeyPair, importJWK } from 'jose';
import type { CryptoKey, JWTPayload } from 'jose';
import { RectifyError } from '../../../src/domain/errors.js';
import { createEntraTokenValidator } from '../../../src/infrastructure/auth/entra-token-validator.js';
import type {
  TokenValidator,
  TokenValidatorOptions,
} from '../../../src/infrastructure/auth/entra-token-validator.js';
import {
  DEFAULT_ROLE_CLAIM_VALUES,
  LOCAL_CLIENT_ID,
  LOCAL_TENANT_ID,
  SAMPLE_PEOPLE,
} from '../../../src/infrastructure/auth/sample-people.js';
import type { SamplePerson } from '../../../src/infrastructure/auth/sample-people.js';
import { startIssuerServer } from './issuer-server.js';
import type { IssuerServer } from './issuer-server.js';

const SECOND_TENANT_ID = '0b7e1c55-3f2a-4d8e-9c61-5a2f0e9d4b17';
const FOREIGN_TENANT_ID = 'c3d9a8e2-71b4-4f0c-8e5d-2b6a9f1c7e40';
const COMMITTEE_GROUP_ID = '9f1e2d3c-4b5a-4697-8877-665544332211';
const MR_GROUP_ID = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

const personWithAppRole = (appRole: string | undefined): SamplePerson => {
  const found = SAMPLE_PEOPLE.find((p) =>
    appRole === undefined ? p.appRoles.length === 0 : p.appRoles.includes(appRole),
  );
  if (!found) throw new Error(`no sample person with app role ${String(appRole)}`);
  return found;
};
const reporter = personWithAppRole(undefined);
const managementRepresentative = personWithAppRole('ManagementRepresentative');

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

let server: IssuerServer;

const validatorOptions = (
  overrides: Partial<TokenValidatorOptions> = {},
): TokenValidatorOptions => ({
  authorityHost: server.authorityHost,
  allowedTenantIds: [LOCAL_TENANT_ID, SECOND_TENANT_ID],
  audiences: [LOCAL_CLIENT_ID, `api://localhost/${LOCAL_CLIENT_ID}`],
  requiredScope: 'access_as_user',
  clockToleranceSeconds: 60,
  roleClaimValues: DEFAULT_ROLE_CLAIM_VALUES,
  roleGroups: { mr: [MR_GROUP_ID], committee: [COMMITTEE_GROUP_ID] },
  fetchTimeoutMs: 2000,
  ...overrides,
});
const makeValidator = (overrides: Partial<TokenValidatorOptions> = {}): TokenValidator =>
  createEntraTokenValidator(validatorOptions(overrides));

/** The claims Entra puts in a v2 access token for the reporter; `undefined` removes one. */
const claimsFor = (overrides: Record<string, unknown> = {}): JWTPayload => {
  const now = nowSeconds();
  const claims: Record<string, unknown> = {
    iss: server.issuer.issuerFor(LOCAL_TENANT_ID),
    aud: LOCAL_CLIENT_ID,
    tid: LOCAL_TENANT_ID,
    oid: reporter.id,
    sub: 'pairwise-subject',
    name: reporter.name,
    preferred_username: reporter.email,
    scp: 'access_as_user',
    ver: '2.0',
    iat: now,
    nbf: now,
    exp: now + 3600,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
};

const signToken = (
  claims: JWTPayload,
  key: CryptoKey | Uint8Array = server.issuer.privateKey,
  alg = 'RS256',
): Promise<string> =>
  new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', kid: server.issuer.kid }).sign(key);

const encodeJson = (value: unknown): string => base64url.encode(JSON.stringify(value));

const expectUnauthenticated = async (
  validation: Promise<unknown>,
  reason?: string,
): Promise<void> => {
  const error: unknown = await validation.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RectifyError);
  expect(error).toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
  if (reason !== undefined) expect(error).toMatchObject({ details: { reason } });
};

beforeAll(async () => {
  server = await startIssuerServer();
  // Metadata that vouches for another tenant's issuer, and Entra's multi-tenant shape.
  server.app.get('/rogue/:tenantId/v2.0/.well-known/openid-configuration', (_req, res) => {
    res.json({
      issuer: server.issuer.issuerFor(LOCAL_TENANT_ID),
      jwks_uri: `${server.authorityHost}/discovery/v2.0/keys`,
    });
  });
  server.app.get('/multi/:tenantId/v2.0/.well-known/openid-configuration', (_req, res) => {
    res.json({
      issuer: `${server.authorityHost}/{tenantid}/v2.0`,
      jwks_uri: `${server.authorityHost}/discovery/v2.0/keys`,
    });
  });
});

afterAll(async () => {
  await server.close();
});

describe('Entra token validator', () => {
  describe('accepts', () => {
    it('a valid token and returns the principal with the roles of its app roles', async () => {
      const { accessToken } = await server.issuer.issueAccessToken(managementRepresentative, {
        audience: LOCAL_CLIENT_ID,
      });

      const principal = await makeValidator().validate(accessToken);

      expect(principal).toEqual({
        id: managementRepresentative.id,
        name: managementRepresentative.name,
        tenantId: LOCAL_TENANT_ID,
        roles: new Set(['mr']),
      });
    });

    it('a reporter without app roles as a principal with no roles', async () => {
      const { accessToken } = await server.issuer.issueAccessToken(reporter, {
        audience: LOCAL_CLIENT_ID,
      });

      const principal = await makeValidator().validate(accessToken);

      expect(principal.id).toBe(reporter.id);
      expect(principal.roles.size).toBe(0);
    });

    it('grants roles through the group ids mapped in configuration', async () => {
      const token = await signToken(claimsFor({ groups: [COMMITTEE_GROUP_ID, 'unmapped-group'] }));

      const principal = await makeValidator().validate(token);

      expect([...principal.roles]).toEqual(['committee']);
    });

    it('takes the name from preferred_username, then oid, when name is absent', async () => {
      const validator = makeValidator();
      const withUsername = await signToken(claimsFor({ name: undefined }));
      const withOidOnly = await signToken(
        claimsFor({ name: undefined, preferred_username: undefined }),
      );

      await expect(validator.validate(withUsername)).resolves.toMatchObject({
        name: reporter.email,
      });
      await expect(validator.validate(withOidOnly)).resolves.toMatchObject({ name: reporter.id });
    });

    it('the name normalised to NFC', async () => {
      const token = await signToken(claimsFor({ name: 'Zoe\u0301 Lef\u0065\u0300vre' }));

      const principal = await makeValidator().validate(token);

      expect(principal.name).toBe('Zo\u00e9 Lef\u00e8vre');
    });

    it('the application id URI as audience (v1-style aud)', async () => {
      const token = await signToken(claimsFor({ aud: `api://localhost/${LOCAL_CLIENT_ID}` }));

      await expect(makeValidator().validate(token)).resolves.toMatchObject({ id: reporter.id });
    });

    it('a token expired by less than the clock tolerance', async () => {
      const token = await signToken(claimsFor({ exp: nowSeconds() - 30 }));

      await expect(makeValidator().validate(token)).resolves.toMatchObject({ id: reporter.id });
    });

    it('an issuer given with the {tenantid} placeholder of multi-tenant metadata', async () => {
      const token = await signToken(claimsFor());
      const validator = makeValidator({ authorityHost: `${server.baseUrl}/multi` });

      await expect(validator.validate(token)).resolves.toMatchObject({ id: reporter.id });
    });
  });

  describe('refuses with AUTH.UNAUTHENTICATED', () => {
    it('a token signed by an unknown key that claims the issuer key id', async () => {
      const { privateKey: otherKey } = await generateKeyPair('RS256');
      const token = await signToken(claimsFor(), otherKey);

      await expectUnauthenticated(makeValidator().validate(token), 'signature_invalid');
    });

    it('an unsigned token (alg none)', async () => {
      const header = encodeJson({ alg: 'none', typ: 'JWT', kid: server.issuer.kid });
      const token = `${header}.${encodeJson(claimsFor())}.`;

      await expectUnauthenticated(makeValidator().validate(token), 'algorithm_not_allowed');
    });

    it('an HS256 token keyed with the public key PEM (key confusion)', async () => {
      const publicKey = await importJWK(server.issuer.publicJwk, 'RS256', { extractable: true });
      if (publicKey instanceof Uint8Array) throw new Error('expected an RSA public key');
      const pem = await exportSPKI(publicKey);
      const signingInput = `${encodeJson({ alg: 'HS256', typ: 'JWT', kid: server.issuer.kid })}.${encodeJson(claimsFor())}`;
      const mac = createHmac('sha256', pem).update(signingInput).digest('base64url');

      await expectUnauthenticated(
        makeValidator().validate(`${signingInput}.${mac}`),
        'algorithm_not_allowed',
      );
    });

    it('an HS256 token keyed with the public JWK JSON (key confusion)', async () => {
      const secret = new TextEncoder().encode(JSON.stringify(server.issuer.publicJwk));
      const token = await signToken(claimsFor(), secret, 'HS256');

      await expectUnauthenticated(makeValidator().validate(token), 'algorithm_not_allowed');
    });

    it('a token signed with another algorithm (ES256)', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      const token = await signToken(claimsFor(), privateKey, 'ES256');

      await expectUnauthenticated(makeValidator().validate(token), 'algorithm_not_allowed');
    });

    it('an expired token, beyond the clock tolerance', async () => {
      const token = await signToken(
        claimsFor({ iat: nowSeconds() - 7200, nbf: nowSeconds() - 7200, exp: nowSeconds() - 120 }),
      );

      await expectUnauthenticated(makeValidator().validate(token), 'token_expired');
    });

    it('a token that is not yet valid', async () => {
      const token = await signToken(claimsFor({ nbf: nowSeconds() + 300 }));

      await expectUnauthenticated(makeValidator().validate(token), 'token_not_yet_valid');
    });

    it('a token without exp', async () => {
      const token = await signToken(claimsFor({ exp: undefined }));

      await expectUnauthenticated(makeValidator().validate(token), 'expiry_missing');
    });

    it('a token for another audience', async () => {
      const { accessToken } = await server.issuer.issueAccessToken(reporter, {
        audience: '00000003-0000-0000-c000-000000000000',
      });

      await expectUnauthenticated(makeValidator().validate(accessToken), 'audience_invalid');
    });

    it('a token from another issuer', async () => {
      const token = await signToken(
        claimsFor({ iss: `https://issuer.attacker.example/${LOCAL_TENANT_ID}/v2.0` }),
      );

      await expectUnauthenticated(makeValidator().validate(token), 'issuer_invalid');
    });

    it('a correctly signed token of a tenant outside the allow-list, without fetching its metadata', async () => {
      const token = await signToken(
        claimsFor({ iss: server.issuer.issuerFor(FOREIGN_TENANT_ID), tid: FOREIGN_TENANT_ID }),
      );
      const requestsBefore = server.requests.length;

      await expectUnauthenticated(makeValidator().validate(token), 'tenant_not_allowed');
      expect(server.requests.slice(requestsBefore)).toEqual([]);
      // The same token passes once its tenant is allowed: only the allow-list refused it.
      await expect(
        makeValidator({ allowedTenantIds: [FOREIGN_TENANT_ID] }).validate(token),
      ).resolves.toMatchObject({ tenantId: FOREIGN_TENANT_ID });
    });

    it('a token whose tid differs from the tenant in iss', async () => {
      const token = await signToken(
        claimsFor({ iss: server.issuer.issuerFor(LOCAL_TENANT_ID), tid: SECOND_TENANT_ID }),
      );

      await expectUnauthenticated(makeValidator().validate(token));
    });

    it('a token whose tid differs from the tenant in iss even when the metadata vouches for that issuer', async () => {
      const token = await signToken(
        claimsFor({ iss: server.issuer.issuerFor(LOCAL_TENANT_ID), tid: SECOND_TENANT_ID }),
      );
      const validator = makeValidator({ authorityHost: `${server.baseUrl}/rogue` });

      await expectUnauthenticated(validator.validate(token), 'tenant_mismatch');
    });

    it('a token without the required scope', async () => {
      const { accessToken } = await server.issuer.issueAccessToken(reporter, {
        audience: LOCAL_CLIENT_ID,
        scope: 'User.Read access_as_user_not',
      });
      const withoutScp = await signToken(claimsFor({ scp: undefined }));

      await expectUnauthenticated(makeValidator().validate(accessToken), 'scope_missing');
      await expectUnauthenticated(makeValidator().validate(withoutScp), 'scope_missing');
    });

    it('a token without oid', async () => {
      const token = await signToken(claimsFor({ oid: undefined }));

      await expectUnauthenticated(makeValidator().validate(token), 'oid_missing');
    });

    it("a correctly signed token whose oid is an internal actor's id, not a GUID", async () => {
      const token = await signToken(claimsFor({ oid: 'rectify:task-board' }));

      await expectUnauthenticated(makeValidator().validate(token), 'oid_invalid');
    });

    it('a token whose name holds a lone surrogate or NUL', async () => {
      for (const name of ['Alex \ud800', 'Alex\u0000Morgan']) {
        const token = await signToken(claimsFor({ name }));

        await expectUnauthenticated(makeValidator().validate(token), 'claims_invalid');
      }
    });

    it('a token whose roles claim is not a list of strings', async () => {
      const token = await signToken(claimsFor({ roles: 'ManagementRepresentative' }));

      await expectUnauthenticated(makeValidator().validate(token), 'claims_invalid');
    });

    it('a garbage string', async () => {
      await expectUnauthenticated(makeValidator().validate('not-a-token'), 'token_malformed');
      await expectUnauthenticated(makeValidator().validate(''), 'token_malformed');
    });

    it('a token with a tampered payload', async () => {
      const token = await signToken(claimsFor());
      const [header, , signature] = token.split('.');
      const forged = `${String(header)}.${encodeJson(claimsFor({ oid: managementRepresentative.id }))}.${String(signature)}`;

      await expectUnauthenticated(makeValidator().validate(forged), 'signature_invalid');
    });
  });

  describe('OpenID metadata', () => {
    it('is fetched once per tenant and then cached', async () => {
      const validator = makeValidator();
      const token = await signToken(claimsFor());
      const requestsBefore = server.requests.length;

      await validator.validate(token);
      await validator.validate(token);

      const metadataRequests = server.requests
        .slice(requestsBefore)
        .filter((path) => path.endsWith('/.well-known/openid-configuration'));
      expect(metadataRequests).toEqual([
        `/issuer/${LOCAL_TENANT_ID}/v2.0/.well-known/openid-configuration`,
      ]);
    });

    it('is fetched again after a failure instead of caching the failure', async () => {
      const validator = makeValidator();
      const token = await signToken(claimsFor());

      server.failMetadata = true;
      try {
        await expectUnauthenticated(validator.validate(token), 'metadata_unavailable');
      } finally {
        server.failMetadata = false;
      }

      await expect(validator.validate(token)).resolves.toMatchObject({ id: reporter.id });
    });

    it('refuses tokens when the authority cannot be reached', async () => {
      const token = await signToken(claimsFor());
      // Port 9 (discard) on loopback: nothing listens there.
      const validator = makeValidator({ authorityHost: 'http://127.0.0.1:9/issuer' });

      await expectUnauthenticated(validator.validate(token), 'metadata_unavailable');
    });
  });
});
