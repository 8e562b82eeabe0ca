import type { AccessTokenSource } from './graph-client.js';
import { GraphRequestError } from './graph-client.js';
import type { ViewSpec } from './rectify-lists.js';

/**
 * List views through SharePoint REST: Graph v1.0 has no API for them. Needs a token for the
 * SharePoint resource (https://{tenant}.sharepoint.com) with the same app and site grant;
 * SharePoint accepts app-only tokens from a certificate, not from a secret.
 */
export class SharePointViewsClient {
  constructor(
    /** The site's webUrl, e.g. https://contoso.sharepoint.com/sites/isms */
    private readonly webUrl: string,
    private readonly token: AccessTokenSource,
  ) {}

  async titles(listId: string): Promise<string[]> {
    const json = await this.send('GET', `${this.viewsUrl(listId)}?$select=Title`);
    const value = (json as { value?: unknown }).value;
    return Array.isArray(value)
      ? value.flatMap((v) => {
          const title = (v as { Title?: unknown }).Title;
          return typeof title === 'string' ? [title] : [];
        })
      : [];
  }

  async create(listId: string, view: ViewSpec): Promise<void> {
    const created = await this.send('POST', this.viewsUrl(listId), {
      __metadata: { type: 'SP.View' },
      Title: view.title,
      ViewQuery: view.query,
      PersonalView: false,
      RowLimit: 100,
    });
    const id =
      (created as { Id?: unknown; d?: { Id?: unknown } }).Id ??
      (created as { d?: { Id?: unknown } }).d?.Id;
    if (typeof id !== 'string')
      throw new Error(`SharePoint created view ${view.title} without an id`);
    for (const field of view.fields)
      await this.send(
        'POST',
        `${this.viewsUrl(listId)}(guid'${id}')/ViewFields/addViewField('${encodeURIComponent(field)}')`,
      );
  }

  private viewsUrl(listId: string): string {
    return `${this.webUrl.replace(/\/+$/, '')}/_api/web/lists(guid'${listId}')/views`;
  }

  private async send(method: 'GET' | 'POST', url: string, body?: unknown): Promise<unknown> {
    const res = await fetch(url, {
      method,
      headers: {
        Authorization: `Bearer ${await this.token()}`,
        Accept: 'application/json;odata=nometadata',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json;odata=verbose' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok)
      throw new GraphRequestError(
        res.status,
        null,
        `SharePoint REST ${method} ${url} answered ${res.status}: ${text.slice(0, 300)}`,
      );
    return text === '' ? {} : (JSON.parse(text) as unknown);
  }
}
