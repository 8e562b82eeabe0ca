import { readFileSync } from 'node:fs';
import type { SharePointStoreConfig } from '../../config.js';
import type { AuditSeal } from '../audit/audit-seal.js';
import {
  createGraphConnection,
  type AccessTokenSource,
  type GraphConnection,
} from './graph-client.js';
import { GraphListCarRepository, resolveRectifyLists } from './graph-list-car-repository.js';
import { createMsalTokenSource } from './msal-token-source.js';
import { SharePointListClient } from './sharepoint-list-client.js';

/** The app's token for Graph (or for another resource, e.g. SharePoint REST). */
export function tokenSourceFor(store: SharePointStoreConfig, resource?: string): AccessTokenSource {
  return createMsalTokenSource({
    resource,
    tenantId: store.tenantId,
    clientId: store.clientId,
    authorityHost: store.authorityHost,
    graphBaseUrl: store.graphBaseUrl,
    certificatePem: store.certificatePath ? readFileSync(store.certificatePath, 'utf8') : undefined,
    clientSecret: store.clientSecret ?? undefined,
    authorityCaPem: store.authorityCaPath ? readFileSync(store.authorityCaPath, 'utf8') : undefined,
  });
}

/** One Graph connection (token cache, retry policy, timeout) for everything Rectify sends. */
export function graphConnectionFor(store: SharePointStoreConfig): GraphConnection {
  return createGraphConnection({
    baseUrl: store.graphBaseUrl,
    accessToken: tokenSourceFor(store),
    timeoutMs: store.graphTimeoutMs,
  });
}

export function listClientFor(
  store: SharePointStoreConfig,
  graph: GraphConnection = graphConnectionFor(store),
): SharePointListClient {
  return new SharePointListClient(graph, store.siteId);
}

/**
 * The SharePoint store, checked at start-up: the site answers, the lists exist, the app may
 * read them. A missing list or permission stops the start with a message that says what to do.
 */
export async function openGraphCarRepository(
  store: SharePointStoreConfig,
  seal: AuditSeal,
): Promise<GraphListCarRepository> {
  const lists = listClientFor(store);
  return new GraphListCarRepository(lists, await resolveRectifyLists(lists), seal);
}
