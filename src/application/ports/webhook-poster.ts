/** Sends one signed webhook POST; answers the HTTP status, or throws when no answer came. */
export interface WebhookPoster {
  post(url: string, headers: Readonly<Record<string, string>>, body: string): Promise<number>;
}
