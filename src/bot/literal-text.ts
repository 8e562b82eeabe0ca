/**
 * User text shown on a card exactly as typed. TextBlocks render a markdown subset in Teams, so
 * every markdown character is backslash-escaped; `${` is broken with a zero-width space so that
 * no host evaluates it as an Adaptive Card template expression.
 */
const MARKDOWN = /[\\`*_{}[\]()#+\-.!|<>~]/g;

export const literal = (text: string): string =>
  text.replace(MARKDOWN, (c) => `\\${c}`).replace(/\$\{/g, '$\u200b{');

/** For plain-text fields (FactSet values, input values): only the template guard applies. */
export const plain = (text: string): string => text.replace(/\$\{/g, '$\u200b{');
