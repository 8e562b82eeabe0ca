import { createRemoteJWKSet, decodeJwt, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { RectifyError } from '../../domain/errors.js';
import { ROLES, isEntraObjectId } from '../../domain/identity.js';
import { wellFormedText } from '../../application/ports/text-schema.js';
import type { Principal, Role } from '../../domain/identity.js';

export interface TokenValidatorOptions {
  /** e.g. 'https://login.microsoftonline.com'; a function when the value is known only later. */
  authorityHost: string | (() => string);
  allowedTenantIds: readonly string[];
  /** Client id, and optionally the api://... application id URI (v1 tokens). */
  audiences: readonly string[];
  requiredScope: string;
  clockToleranceSeconds?: number;
  /** App-role values in the `roles` claim that grant each role. */
  roleClaimValues: { mr: readonly string[]; committee: readonly string[] };
  /** Entra group object ids in the `groups` claim that grant each role. */
  roleGroups: { mr: readonly string[]; committee: readonly string[] };
  fetchTimeoutMs?: number;
}

export interface TokenValidator {
  validate(token: string): Promise<Principal>;
}

const MICROSOFT_AUTHORITY_HOST = 'https://login.microsoftonline.com';
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 60;
const DEFAULT_FETCH_TIMEOUT_MS = 5_000;
// Microsoft advises refreshing OpenID metadata about once a day.
const METADATA_TTL_MS = 24 * 60 * 60 * 1_000;

const OpenIdMetadataSchema = z.object({
  issuer: z.string().min(1),
  jwks_uri: z.url({ protocol: /^https?$/ }),
});

const OptionalClaimsSchema = z.object({
  name: wellFormedText().trim().max(256).optional(),
  preferred_username: wellFormedText().trim().max(256).optional(),
  roles: z.array(wellFormedText()).optional(),
  groups: z.array(wellFormedText()).optional(),
});

interface TenantTrust {
  readonly issuers: readonly string[];
  readonly keys: JWTVerifyGetKey;
}

interface CachedTrust {
  readonly trust: Promise<TenantTrust>;
  readonly expiresAt: number;
}

const unauthenticated = (reason: string): RectifyError =>
  new RectifyError('AUTH.UNAUTHENTICATED', { reason });

/** Marks failures to reach the key set, so they are not reported as bad signatures. */
class KeysUnavailable extends Error {}

export function createEntraTokenValidator(options: TokenValidatorOptions): TokenValidator {
  const allowedTenants = new Set(options.allowedTenantIds.map((t) => t.toLowerCase()));
  const clockTolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  const fetchTimeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const groupsByRole = {
    mr: new Set(options.roleGroups.mr.map((g) => g.toLowerCase())),
    committee: new Set(options.roleGroups.committee.map((g) => g.toLowerCase())),
  } satisfies Record<Role, ReadonlySet<string>>;
  // Only allow-listed tenants are cached, so both maps stay small.
  const trustByTenant = new Map<string, CachedTrust>();
  const keysByUri = new Map<string, JWTVerifyGetKey>();

  const authorityHost = (): string => {
    const host =
      typeof options.authorityHost === 'function' ? options.authorityHost() : options.authorityHost;
    return host.replace(/\/+$/, '');
  };

  const keySetFor = (jwksUri: string): JWTVerifyGetKey => {
    let keys = keysByUri.get(jwksUri);
    if (!keys) {
      const remote = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: fetchTimeoutMs });
      keys = async (header, token) => {
        try {
          return await remote(header, token);
        } catch (e) {
          if (
            e instanceof errors.JWKSNoMatchingKey ||
            e instanceof errors.JWKSMultipleMatchingKeys
          ) {
            throw e;
          }
          throw new KeysUnavailable('JWKS fetch failed', { cause: e });
        }
      };
      keysByUri.set(jwksUri, keys);
    }
    return keys;
  };

  const loadTrust = async (host: string, tenantId: string): Promise<TenantTrust> => {
    const metadata = await fetchMetadata(
      `${host}/${encodeURIComponent(tenantId)}/v2.0/.well-known/openid-configuration`,
      fetchTimeoutMs,
    );
    // Multi-tenant metadata (common, organizations) carries a literal placeholder.
    const issuers = [metadata.issuer.replaceAll('{tenantid}', tenantId)];
    // v1 tokens (accessTokenAcceptedVersion null/1) come from sts.windows.net, only in the public cloud.
    if (host === MICROSOFT_AUTHORITY_HOST) issuers.push(`https://sts.windows.net/${tenantId}/`);
    return { issuers, keys: keySetFor(metadata.jwks_uri) };
  };

  const trustFor = (tenantId: string): Promise<TenantTrust> => {
    const host = authorityHost();
    const cacheKey = `${host} ${tenantId}`;
    const cached = trustByTenant.get(cacheKey);
    if (cached && cached.expiresAt > Date.now()) return cached.trust;
    const trust = loadTrust(host, tenantId);
    trustByTenant.set(cacheKey, { trust, expiresAt: Date.now() + METADATA_TTL_MS });
    // A failed fetch must not stick: the next token retries.
    void trust.catch(() => {
      if (trustByTenant.get(cacheKey)?.trust === trust) trustByTenant.delete(cacheKey);
    });
    return trust;
  };

  const rolesFrom = (appRoles: readonly string[], groups: readonly string[]): ReadonlySet<Role> => {
    const roles = new Set<Role>();
    for (const role of ROLES) {
      const byAppRole = appRoles.some((value) => options.roleClaimValues[role].includes(value));
      const byGroup = groups.some((id) => groupsByRole[role].has(id.toLowerCase()));
      if (byAppRole || byGroup) roles.add(role);
    }
    return roles;
  };

  return {
    async validate(token: string): Promise<Principal> {
      const tenantId = unverifiedTenantId(token);
      if (tenantId === undefined || !allowedTenants.has(tenantId)) {
        throw unauthenticated('tenant_not_allowed');
      }
      const trust = await trustFor(tenantId);

      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, trust.keys, {
          algorithms: ['RS256'],
          issuer: [...trust.issuers],
          audience: [...options.audiences],
          clockTolerance,
          requiredClaims: ['exp'],
        }));
      } catch (e) {
        throw unauthenticated(reasonFor(e));
      }

      // Signing keys are shared across tenants: tid must agree with the verified issuer.
      const verifiedTid = typeof payload.tid === 'string' ? payload.tid.toLowerCase() : undefined;
      if (
        verifiedTid === undefined ||
        verifiedTid !== tenantOfIssuer(payload.iss) ||
        !allowedTenants.has(verifiedTid)
      ) {
        throw unauthenticated('tenant_mismatch');
      }
      if (
        typeof payload.scp !== 'string' ||
        !payload.scp.split(' ').includes(options.requiredScope)
      ) {
        throw unauthenticated('scope_missing');
      }
      if (typeof payload.oid !== 'string' || payload.oid === '') {
        throw unauthenticated('oid_missing');
      }
      // Entra object ids are GUIDs: anything else (such as an internal actor's id) is refused.
      if (!isEntraObjectId(payload.oid)) throw unauthenticated('oid_invalid');
      const claims = OptionalClaimsSchema.safeParse(payload);
      if (!claims.success) throw unauthenticated('claims_invalid');

      const { name, preferred_username: username, roles = [], groups = [] } = claims.data;
      return {
        id: payload.oid,
        name: name || username || payload.oid,
        tenantId: verifiedTid,
        roles: rolesFrom(roles, groups),
      };
    },
  };
}

/** Reads `tid` without verifying anything: used only to pick the tenant's metadata. */
function unverifiedTenantId(token: string): string | undefined {
  let payload: JWTPayload;
  try {
    payload = decodeJwt(token);
  } catch {
    throw unauthenticated('token_malformed');
  }
  return typeof payload.tid === 'string' ? payload.tid.toLowerCase() : undefined;
}

/** v2 `.../{tid}/v2.0`, v1 `https://sts.windows.net/{tid}/`; the authority host may carry a path. */
function tenantOfIssuer(issuer: string | undefined): string | undefined {
  if (issuer === undefined || !URL.canParse(issuer)) return undefined;
  const segments = new URL(issuer).pathname.split('/').filter((s) => s !== '');
  const tenant = segments.at(-1) === 'v2.0' ? segments.at(-2) : segments.at(-1);
  return tenant?.toLowerCase();
}

async function fetchMetadata(
  url: string,
  timeoutMs: number,
): Promise<z.infer<typeof OpenIdMetadataSchema>> {
  let body: unknown;
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = response.ok ? await response.json() : undefined;
  } catch {
    // Network error, timeout or a body that is not JSON: the caller may retry later.
    throw unauthenticated('metadata_unavailable');
  }
  if (body === undefined) throw unauthenticated('metadata_unavailable');
  const metadata = OpenIdMetadataSchema.safeParse(body);
  if (!metadata.success) throw unauthenticated('metadata_invalid');
  return metadata.data;
}

function reasonFor(error: unknown): string {
  if (error instanceof KeysUnavailable) return 'keys_unavailable';
  if (error instanceof errors.JWTExpired) return 'token_expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'token_not_yet_valid';
    if (error.claim === 'aud') return 'audience_invalid';
    if (error.claim === 'iss') return 'issuer_invalid';
    if (error.claim === 'exp') return 'expiry_missing';
    return 'claims_invalid';
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm_not_allowed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'signing_key_unknown';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature_invalid';
  return 'token_invalid';
}
