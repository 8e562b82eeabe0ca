/**
 * The slice of OData `$filter` that SharePoint list items accept through Graph:
 * `fields/X eq 'v'`, `ne`, `gt`, `ge`, `lt`, `le`, `and`, `or`, `not`, parentheses,
 * string / number / boolean / null literals.
 */

export type Literal = string | number | boolean | null;

export type FilterNode =
  | {
      readonly kind: 'compare';
      readonly op: CompareOp;
      readonly field: string;
      readonly value: Literal;
    }
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly operand: FilterNode };

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

type Token =
  | { readonly t: 'ident'; readonly v: string }
  | { readonly t: 'string'; readonly v: string }
  | { readonly t: 'number'; readonly v: number }
  | { readonly t: '(' | ')' };

export class FilterSyntaxError extends Error {}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '(' || c === ')') {
      tokens.push({ t: c });
      i += 1;
    } else if (c === "'") {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) throw new FilterSyntaxError('unterminated string literal');
        const d = text[i] ?? '';
        if (d === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += d;
        i += 1;
      }
      tokens.push({ t: 'string', v: value });
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i));
      if (!m) throw new FilterSyntaxError(`unexpected ${c}`);
      tokens.push({ t: 'number', v: Number(m[0]) });
      i += m[0].length;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_/]*/.exec(text.slice(i));
      if (!m) throw new FilterSyntaxError(`unexpected ${c}`);
      tokens.push({ t: 'ident', v: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

export function parseFilter(text: string): FilterNode {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (tok: Token | undefined, word: string): boolean =>
    tok?.t === 'ident' && tok.v.toLowerCase() === word;

  const primary = (): FilterNode => {
    const tok = peek();
    if (tok?.t === '(') {
      pos += 1;
      const inner = orExpr();
      if (peek()?.t !== ')') throw new FilterSyntaxError('missing )');
      pos += 1;
      return inner;
    }
    if (isWord(tok, 'not')) {
      pos += 1;
      return { kind: 'not', operand: primary() };
    }
    if (tok?.t !== 'ident') throw new FilterSyntaxError('expected a field');
    pos += 1;
    const opTok = peek();
    if (opTok?.t !== 'ident' || !COMPARE_OPS.has(opTok.v.toLowerCase()))
      throw new FilterSyntaxError(`expected an operator after ${tok.v}`);
    pos += 1;
    const valueTok = peek();
    pos += 1;
    let value: Literal;
    if (valueTok?.t === 'string' || valueTok?.t === 'number') value = valueTok.v;
    else if (isWord(valueTok, 'true')) value = true;
    else if (isWord(valueTok, 'false')) value = false;
    else if (isWord(valueTok, 'null')) value = null;
    else throw new FilterSyntaxError('expected a literal');
    return { kind: 'compare', op: opTok.v.toLowerCase() as CompareOp, field: tok.v, value };
  };

  const andExpr = (): FilterNode => {
    let left = primary();
    while (isWord(peek(), 'and')) {
      pos += 1;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };

  const orExpr = (): FilterNode => {
    let left = andExpr();
    while (isWord(peek(), 'or')) {
      pos += 1;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };

  const tree = orExpr();
  if (pos !== tokens.length) throw new FilterSyntaxError('trailing input');
  return tree;
}

/** The fields a filter refers to, with the `fields/` prefix removed. */
export function fieldsOf(node: FilterNode): string[] {
  switch (node.kind) {
    case 'compare':
      return [node.field.replace(/^fields\//, '')];
    case 'not':
      return fieldsOf(node.operand);
    default:
      return [...fieldsOf(node.left), ...fieldsOf(node.right)];
  }
}

export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = scalarText(a);
  const sb = scalarText(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function matches(node: FilterNode, fields: Readonly<Record<string, unknown>>): boolean {
  switch (node.kind) {
    case 'and':
      return matches(node.left, fields) && matches(node.right, fields);
    case 'or':
      return matches(node.left, fields) || matches(node.right, fields);
    case 'not':
      return !matches(node.operand, fields);
    case 'compare': {
      const actual = fields[node.field.replace(/^fields\//, '')] ?? null;
      if (node.value === null || actual === null) {
        const same = node.value === actual;
        return node.op === 'eq' ? same : node.op === 'ne' ? !same : false;
      }
      const c = compareValues(actual, node.value);
      switch (node.op) {
        case 'eq':
          return c === 0;
        case 'ne':
          return c !== 0;
        case 'gt':
          return c > 0;
        case 'ge':
          return c >= 0;
        case 'lt':
          return c < 0;
        case 'le':
          return c <= 0;
      }
    }
  }
}

/** A field value as text, for comparisons and unique checks. */
export function scalarText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
