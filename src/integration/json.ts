/** JSON values as the OpenAPI documents hold them. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A document as plain JSON (what a zod-openapi document serialises to). */
export const toJson = (value: unknown): JsonObject => {
  const parsed: unknown = JSON.parse(JSON.stringify(value));
  if (!isObject(parsed)) throw new Error('an OpenAPI document is a JSON object');
  return parsed;
};

export const objectAt = (v: Json | undefined): JsonObject => (isObject(v) ? v : {});
export const arrayAt = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
export const textAt = (v: Json | undefined): string | undefined =>
  typeof v === 'string' ? v : undefined;

/** "nextDueDate" → "Next Due Date": the title case Power Automate shows for a field. */
export function titleOf(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0);
  return words
    .map((w) =>
      w.length <= 3 && w === w.toUpperCase() ? w : w.charAt(0).toUpperCase() + w.slice(1),
    )
    .join(' ');
}
