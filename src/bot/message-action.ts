/** The "Report as ISMS event" message action: what the reported chat message pre-fills. */

export const REPORT_MESSAGE_COMMAND = 'reportMessage';

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** Teams gives the message as HTML; the form wants its text. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|[a-z]+);/gi, (m, e: string) =>
      e.startsWith('#')
        ? String.fromCodePoint(Number(e.slice(1)))
        : (ENTITIES[e.toLowerCase()] ?? m),
    )
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const field = (v: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>(
    (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
    v,
  );

/** The form's pre-fill from a composeExtension/fetchTask value: the message text and its link. */
export function prefillFromMessage(value: unknown): { title: string; description: string } {
  const content = field(value, 'messagePayload', 'body', 'content');
  const type = field(value, 'messagePayload', 'body', 'contentType');
  const link = field(value, 'messagePayload', 'linkToMessage');
  const author = field(value, 'messagePayload', 'from', 'user', 'displayName');
  const raw = typeof content === 'string' ? content : '';
  const text = type === 'html' ? htmlToText(raw) : raw.trim();
  const source = [
    typeof author === 'string' && author
      ? `Message from ${author}`
      : 'Reported from a Teams message',
    typeof link === 'string' && /^https:\/\//.test(link) ? link : '',
  ]
    .filter(Boolean)
    .join(': ');
  const description = `${text.slice(0, 9000)}\n\n${source}`.trim();
  const firstLine = text.split('\n')[0]?.trim() ?? '';
  return { title: firstLine.slice(0, 120), description };
}
