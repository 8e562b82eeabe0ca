import type { WebhookPoster } from '../../application/ports/webhook-poster.js';

/**
 * POSTs a webhook with Node's fetch: no redirects followed (a redirect is a failure, so a
 * receiver cannot bounce Rectify's signed request elsewhere), and a time limit per attempt.
 */
export function fetchWebhookPoster(timeoutMs = 10_000): WebhookPoster {
  return {
    async post(url, headers, body) {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      return res.status;
    },
  };
}
