import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import express from 'express';
import type { Router } from 'express';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { z } from 'zod';
import { RectifyError } from '../../domain/errors.js';
import type { SamplePerson } from './sample-people.js';

export interface LocalIssuerOptions {
  /** Where the private key is kept so tokens survive restarts; in memory only when absent. */
  keyFile?: string;
  tenantId: string;
  /** Where the issuer's router is reachable, e.g. 'http://127.0.0.1:3978/dev/issuer'. */
  authorityHost: string | (() => string);
}

export interface IssueTokenOptions {
  audience: string;
  scope?: string;
  lifetimeSeconds?: number;
}

const DEFAULT_SCOPE = 'access_as_user';
const DEFAULT_LIFETIME_SECONDS = 3_600;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Entra serves multi-tenant metadata for these, with a `{tenantid}` placeholder issuer.
const MULTI_TENANT_ALIASES = new Set(['common', 'organizations']);

const PrivateRsaJwkSchema = z.object({
  kty: z.literal('RSA'),
  n: z.string().min(1),
  e: z.string().min(1),
  d: z.string().min(1),
  p: z.string().min(1),
  q: z.string().min(1),
  dp: z.string().min(1),
  dq: z.string().min(1),
  qi: z.string().min(1),
});
type PrivateRsaJwk = z.infer<typeof PrivateRsaJwkSchema>;

/**
 * A stand-in for Entra ID's v2 endpoint in local mode and tests: OpenID metadata, a JWKS
 * and v2 access tokens, signed RS256 with one key. Tokens go through the same validator
 * as in production; only the trusted authority host differs.
 */
export class LocalIssuer {
  readonly tenantId: string;
  readonly #authorityHost: string | (() => string);
  readonly kid: string;
  readonly #privateKey: CryptoKey;
  readonly #publicJwk: JWK;

  private constructor(
    tenantId: string,
    authorityHost: string | (() => string),
    privateKey: CryptoKey,
    publicJwk: JWK & { kid: string },
  ) {
    this.tenantId = tenantId;
    this.kid = publicJwk.kid;
    this.#authorityHost = authorityHost;
    this.#privateKey = privateKey;
    this.#publicJwk = publicJwk;
  }

  static async create(options: LocalIssuerOptions): Promise<LocalIssuer> {
    const jwk = options.keyFile ? await loadOrCreateKey(options.keyFile) : await generateJwk();
    const imported = await importJWK({ ...jwk, alg: 'RS256' }, 'RS256', { extractable: true });
    if (imported instanceof Uint8Array) throw invalidKey();
    const publicParts = { kty: jwk.kty, n: jwk.n, e: jwk.e };
    const kid = await calculateJwkThumbprint(publicParts);
    const publicJwk = { ...publicParts, kid, use: 'sig', alg: 'RS256' };
    return new LocalIssuer(options.tenantId, options.authorityHost, imported, publicJwk);
  }

  get publicJwk(): JWK {
    return { ...this.#publicJwk };
  }

  get privateKey(): CryptoKey {
    return this.#privateKey;
  }

  /** The v2 issuer for a tenant, as Entra writes it in `iss`. */
  issuerFor(tenantId: string = this.tenantId): string {
    return `${this.#host()}/${tenantId}/v2.0`;
  }

  router(): Router {
    const router = express.Router();
    router.get('/:tenantId/v2.0/.well-known/openid-configuration', (req, res, next) => {
      const { tenantId } = req.params;
      // Like Entra, any tenant id gets metadata: trust is the validator's allow-list. Anything
      // else is Rectify's own problem+json, like every other error of this server.
      if (!GUID.test(tenantId) && !MULTI_TENANT_ALIASES.has(tenantId)) {
        next(new RectifyError('ROUTE.NOT_FOUND', { reason: 'invalid_tenant' }));
        return;
      }
      res.json(this.#metadata(tenantId));
    });
    router.get('/discovery/v2.0/keys', (_req, res) => {
      res.json({ keys: [this.publicJwk] });
    });
    return router;
  }

  async issueAccessToken(
    person: SamplePerson,
    options: IssueTokenOptions,
  ): Promise<{ accessToken: string; expiresIn: number }> {
    const expiresIn = options.lifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
    if (!Number.isInteger(expiresIn) || expiresIn <= 0) {
      throw new RangeError('lifetimeSeconds must be a positive integer');
    }
    const now = Math.floor(Date.now() / 1_000);
    const claims: Record<string, unknown> = {
      tid: this.tenantId,
      oid: person.id,
      name: person.name,
      preferred_username: person.email,
      scp: options.scope ?? DEFAULT_SCOPE,
      ver: '2.0',
    };
    // Entra leaves `roles` out when the user has no app role.
    if (person.appRoles.length > 0) claims['roles'] = [...person.appRoles];
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
      .setIssuer(this.issuerFor())
      .setAudience(options.audience)
      .setSubject(pairwiseSubject(person.id, options.audience))
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + expiresIn)
      .sign(this.#privateKey);
    return { accessToken, expiresIn };
  }

  #host(): string {
    const host =
      typeof this.#authorityHost === 'function' ? this.#authorityHost() : this.#authorityHost;
    return host.replace(/\/+$/, '');
  }

  #metadata(tenantId: string): Record<string, unknown> {
    const host = this.#host();
    const tenant = MULTI_TENANT_ALIASES.has(tenantId) ? '{tenantid}' : tenantId;
    // The OAuth endpoints are listed for shape only: local tokens come from the dev router.
    return {
      issuer: `${host}/${tenant}/v2.0`,
      jwks_uri: `${host}/discovery/v2.0/keys`,
      authorization_endpoint: `${host}/${tenantId}/oauth2/v2.0/authorize`,
      token_endpoint: `${host}/${tenantId}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'name', 'oid', 'tid', 'ver'],
      request_uri_parameter_supported: false,
      tenant_region_scope: null,
    };
  }
}

/** Entra's v2 `sub` is pairwise: stable per user and application, unlike `oid`. */
function pairwiseSubject(oid: string, audience: string): string {
  return createHash('sha256').update(`${oid}|${audience}`).digest('base64url').slice(0, 43);
}

async function generateJwk(): Promise<PrivateRsaJwk> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const parsed = PrivateRsaJwkSchema.safeParse(await exportJWK(privateKey));
  if (!parsed.success) throw invalidKey();
  return parsed.data;
}

async function loadOrCreateKey(keyFile: string): Promise<PrivateRsaJwk> {
  const existing = await readKeyFile(keyFile);
  if (existing) return existing;
  const jwk = await generateJwk();
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
  try {
    // 'wx': if another process created the file meanwhile, use its key rather than ours.
    await writeFile(keyFile, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if (errorCode(e) !== 'EEXIST') throw e;
    const created = await readKeyFile(keyFile);
    if (!created) throw invalidKey();
    return created;
  }
  return jwk;
}

async function readKeyFile(keyFile: string): Promise<PrivateRsaJwk | undefined> {
  let text: string;
  try {
    text = await readFile(keyFile, 'utf8');
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return undefined;
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalidKey();
  }
  const parsed = PrivateRsaJwkSchema.safeParse(json);
  if (!parsed.success) throw invalidKey();
  return parsed.data;
}

const errorCode = (e: unknown): unknown =>
  typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;

const invalidKey = (): RectifyError =>
  new RectifyError('CONFIG.INVALID', { reason: 'local_issuer_key_invalid' });
