import { X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import {
  ConfidentialClientApplication,
  type Configuration,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import type { AccessTokenSource } from './graph-client.js';

/**
 * The app's own Graph token (client credentials) from @azure/msal-node, with a certificate
 * (SHA-256 thumbprint and x5c, so certificate rotation by subject name works) or a secret as
 * fallback. msal keeps the token in its in-memory cache and asks Entra again shortly before
 * it expires. The authority's metadata is given, not discovered, so that national clouds and a
 * local test endpoint work without instance discovery.
 */

export interface AppCredentials {
  readonly tenantId: string;
  readonly clientId: string;
  /** e.g. https://login.microsoftonline.com, https://login.microsoftonline.us */
  readonly authorityHost: string;
  /** The Graph base URL; the scope is its origin + /.default. */
  readonly graphBaseUrl: string;
  /** PEM with the private key and the certificate. */
  readonly certificatePem?: string | undefined;
  readonly clientSecret?: string | undefined;
  /** PEM of a CA to trust for the authority (a TLS-inspecting proxy, a test endpoint). */
  readonly authorityCaPem?: string | undefined;
  /** Another resource than Graph, e.g. https://contoso.sharepoint.com for SharePoint REST. */
  readonly resource?: string | undefined;
}

/** The certificate part of a PEM bundle, as msal wants it. */
export function certificateCredential(pem: string): {
  thumbprintSha256: string;
  privateKey: string;
  x5c: string;
} {
  const certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const privateKey =
    /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(
      pem,
    )?.[0];
  if (!certificate || !privateKey)
    throw new Error('the Graph certificate file must hold a PEM private key and a PEM certificate');
  const x509 = new X509Certificate(certificate);
  return {
    thumbprintSha256: x509.fingerprint256.replace(/:/g, ''),
    privateKey,
    x5c: certificate,
  };
}

/** Endpoint metadata in the shape of the authority's openid-configuration and instance discovery. */
export function authorityMetadata(
  authorityHost: string,
  tenantId: string,
): {
  authorityMetadata: string;
  cloudDiscoveryMetadata: string;
  knownAuthorities: string[];
} {
  const host = new URL(authorityHost).host;
  const base = `https://${host}/${tenantId}`;
  return {
    authorityMetadata: JSON.stringify({
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      issuer: `${base}/v2.0`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      token_endpoint_auth_methods_supported: [
        'client_secret_post',
        'private_key_jwt',
        'client_secret_basic',
      ],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      request_uri_parameter_supported: false,
    }),
    cloudDiscoveryMetadata: JSON.stringify({
      tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    }),
    knownAuthorities: [host],
  };
}

/** msal's HTTP, trusting one more CA. */
class TrustingNetworkModule implements INetworkModule {
  constructor(private readonly ca: string) {}

  sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options);
  }

  sendPostRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private send<T>(
    method: string,
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        url,
        { method, headers: options?.headers ?? {}, ca: this.ca },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers))
              if (typeof v === 'string') headers[k] = v;
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, headers, body: JSON.parse(text) as T });
            } catch (e) {
              reject(
                new Error(`the authority answered ${res.statusCode ?? 0} with no JSON`, {
                  cause: e,
                }),
              );
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (options?.body !== undefined) req.write(options.body);
      req.end();
    });
  }
}

export function createMsalTokenSource(credentials: AppCredentials): AccessTokenSource {
  const auth = {
    clientId: credentials.clientId,
    authority: `${credentials.authorityHost.replace(/\/+$/, '')}/${credentials.tenantId}`,
    ...authorityMetadata(credentials.authorityHost, credentials.tenantId),
    ...(credentials.certificatePem
      ? { clientCertificate: certificateCredential(credentials.certificatePem) }
      : credentials.clientSecret
        ? { clientSecret: credentials.clientSecret }
        : {}),
  };
  if (!('clientCertificate' in auth) && !('clientSecret' in auth))
    throw new Error('Graph access needs a certificate or a client secret');
  const configuration: Configuration = {
    auth,
    ...(credentials.authorityCaPem
      ? { system: { networkClient: new TrustingNetworkModule(credentials.authorityCaPem) } }
      : {}),
  };
  const app = new ConfidentialClientApplication(configuration);
  const scopes = [`${new URL(credentials.resource ?? credentials.graphBaseUrl).origin}/.default`];
  return async () => {
    const result = await app.acquireTokenByClientCredential({ scopes });
    if (!result?.accessToken) throw new Error('Entra returned no access token for Graph');
    return result.accessToken;
  };
}
