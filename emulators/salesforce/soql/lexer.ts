// SOQL tokens. Positions are kept so errors can point at the row and column, as Salesforce does.

export type TokenKind =
  'ident' | 'string' | 'number' | 'date' | 'datetime' | 'op' | 'punct' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** For strings: the unescaped value. */
  readonly value: string;
  readonly pos: number;
}

export class SoqlError extends Error {
  readonly code: string;
  readonly pos: number | null;

  constructor(code: string, message: string, pos: number | null = null) {
    super(message);
    this.code = code;
    this.pos = pos;
  }
}

const datetimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})/;
const datePattern = /^\d{4}-\d{2}-\d{2}(?![\dT])/;
const numberPattern = /^-?\d+(?:\.\d+)?/;
const identPattern = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/;
const escapes: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
  _: '\\_',
  '%': '\\%',
};

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = text.slice(i);
    if (ch === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length)
          throw new SoqlError('MALFORMED_QUERY', 'unexpected token: <EOF>: unterminated string', i);
        const c = text[j] as string;
        if (c === '\\') {
          const next = text[j + 1] ?? '';
          const mapped = escapes[next];
          if (mapped === undefined)
            throw new SoqlError(
              'MALFORMED_QUERY',
              `Invalid string literal '${text.slice(i, j + 2)}'. Illegal character sequence '\\${next}' in string literal.`,
              j,
            );
          value += mapped;
          j += 2;
          continue;
        }
        if (c === "'") break;
        value += c;
        j++;
      }
      tokens.push({ kind: 'string', text: text.slice(i, j + 1), value, pos: i });
      i = j + 1;
      continue;
    }
    let m = datetimePattern.exec(rest);
    if (m) {
      tokens.push({ kind: 'datetime', text: m[0], value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    m = datePattern.exec(rest);
    if (m) {
      tokens.push({ kind: 'date', text: m[0], value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    m = numberPattern.exec(rest);
    if (m && (ch !== '-' || /^-\d/.test(rest))) {
      tokens.push({ kind: 'number', text: m[0], value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    m = identPattern.exec(rest);
    if (m) {
      tokens.push({ kind: 'ident', text: m[0], value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '!=' || two === '<=' || two === '>=' || two === '<>') {
      tokens.push({ kind: 'op', text: two, value: two === '<>' ? '!=' : two, pos: i });
      i += 2;
      continue;
    }
    if (ch === '=' || ch === '<' || ch === '>') {
      tokens.push({ kind: 'op', text: ch, value: ch, pos: i });
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',' || ch === ':') {
      tokens.push({ kind: 'punct', text: ch, value: ch, pos: i });
      i++;
      continue;
    }
    throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${ch}'`, i);
  }
  tokens.push({ kind: 'eof', text: '<EOF>', value: '', pos: text.length });
  return tokens;
}
