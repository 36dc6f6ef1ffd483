// A parser for the SOQL subset integrations use. What it does not know it refuses with
// MALFORMED_QUERY naming the construct, rather than answering something approximate.
import { SoqlError, tokenize, type Token } from './lexer.ts';

export type Literal =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'date'; readonly value: string }
  | { readonly kind: 'datetime'; readonly value: string }
  | { readonly kind: 'dateLiteral'; readonly name: string; readonly n: number | null };

export interface FieldRef {
  readonly path: string;
  readonly pos: number;
}

export type Condition =
  | { readonly kind: 'and' | 'or'; readonly items: readonly Condition[] }
  | { readonly kind: 'not'; readonly item: Condition }
  | {
      readonly kind: 'cmp';
      readonly field: FieldRef;
      readonly op: string;
      readonly value: Literal;
      readonly pos: number;
    }
  | {
      readonly kind: 'in';
      readonly field: FieldRef;
      readonly negate: boolean;
      readonly values: readonly Literal[];
      readonly pos: number;
    }
  | {
      readonly kind: 'like';
      readonly field: FieldRef;
      readonly pattern: string;
      readonly pos: number;
    };

export type SelectItem =
  | { readonly kind: 'field'; readonly field: FieldRef }
  | {
      readonly kind: 'count';
      readonly field: FieldRef | null;
      readonly alias: string | null;
      readonly pos: number;
    };

export interface OrderItem {
  readonly field: FieldRef;
  readonly desc: boolean;
  readonly nullsLast: boolean;
}

export interface Query {
  readonly select: readonly SelectItem[];
  readonly from: { readonly name: string; readonly pos: number };
  readonly where: Condition | null;
  readonly orderBy: readonly OrderItem[];
  readonly limit: number | null;
  readonly offset: number | null;
}

const unsupported: Record<string, string> = {
  GROUP: 'GROUP BY',
  HAVING: 'HAVING',
  WITH: 'WITH',
  FOR: 'FOR VIEW/UPDATE/REFERENCE',
  USING: 'USING SCOPE',
  TYPEOF: 'TYPEOF',
  INCLUDES: 'INCLUDES',
  EXCLUDES: 'EXCLUDES',
  FORMAT: 'FORMAT()',
  TOLABEL: 'toLabel()',
  CONVERTCURRENCY: 'convertCurrency()',
  FIELDS: 'FIELDS()',
  DISTANCE: 'DISTANCE()',
};
const aggregates = new Set([
  'SUM',
  'AVG',
  'MIN',
  'MAX',
  'COUNT_DISTINCT',
  'CALENDAR_YEAR',
  'CALENDAR_MONTH',
  'DAY_ONLY',
  'GROUPING',
]);
const reserved = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'ORDER',
  'BY',
  'LIMIT',
  'OFFSET',
  'AND',
  'OR',
  'NOT',
  'IN',
  'LIKE',
  'NULL',
  'TRUE',
  'FALSE',
  'ASC',
  'DESC',
  'NULLS',
  'FIRST',
  'LAST',
  ...Object.keys(unsupported),
]);

const fixedDateLiterals = new Set([
  'YESTERDAY',
  'TODAY',
  'TOMORROW',
  'LAST_WEEK',
  'THIS_WEEK',
  'NEXT_WEEK',
  'LAST_MONTH',
  'THIS_MONTH',
  'NEXT_MONTH',
  'LAST_90_DAYS',
  'NEXT_90_DAYS',
  'THIS_YEAR',
  'LAST_YEAR',
  'NEXT_YEAR',
]);
const nDateLiterals = new Set([
  'LAST_N_DAYS',
  'NEXT_N_DAYS',
  'LAST_N_WEEKS',
  'NEXT_N_WEEKS',
  'LAST_N_MONTHS',
  'NEXT_N_MONTHS',
  'LAST_N_YEARS',
  'NEXT_N_YEARS',
  'N_DAYS_AGO',
]);

class Parser {
  readonly #tokens: Token[];
  #i = 0;
  #depth = 0;

  constructor(text: string) {
    this.#tokens = tokenize(text);
  }

  get #peek(): Token {
    return this.#tokens[this.#i] as Token;
  }

  #next(): Token {
    const token = this.#peek;
    if (token.kind !== 'eof') this.#i++;
    return token;
  }

  #isWord(word: string, token: Token = this.#peek): boolean {
    return token.kind === 'ident' && token.text.toUpperCase() === word;
  }

  #unexpected(token: Token = this.#peek): never {
    const word = token.text.toUpperCase();
    const feature = unsupported[word] ?? (aggregates.has(word) ? `${word}()` : undefined);
    if (feature)
      throw new SoqlError(
        'MALFORMED_QUERY',
        `${feature} is not supported by the Tandem Salesforce emulator`,
        token.pos,
      );
    throw new SoqlError(
      'MALFORMED_QUERY',
      `unexpected token: ${token.kind === 'eof' ? '<EOF>' : `'${token.text}'`}`,
      token.pos,
    );
  }

  #expectWord(word: string): Token {
    if (!this.#isWord(word)) this.#unexpected();
    return this.#next();
  }

  #expectPunct(p: string): Token {
    const token = this.#peek;
    if (token.kind !== 'punct' || token.text !== p) this.#unexpected();
    return this.#next();
  }

  parse(): Query {
    this.#expectWord('SELECT');
    const select: SelectItem[] = [];
    do {
      select.push(this.#selectItem());
    } while (this.#peek.kind === 'punct' && this.#peek.text === ',' && this.#next());
    this.#expectWord('FROM');
    const fromToken = this.#next();
    if (
      fromToken.kind !== 'ident' ||
      fromToken.text.includes('.') ||
      reserved.has(fromToken.text.toUpperCase())
    )
      this.#unexpected(fromToken);
    if (this.#peek.kind === 'ident' && !reserved.has(this.#peek.text.toUpperCase())) {
      throw new SoqlError(
        'MALFORMED_QUERY',
        'object aliases are not supported by the Tandem Salesforce emulator',
        this.#peek.pos,
      );
    }
    let where: Condition | null = null;
    if (this.#isWord('WHERE')) {
      this.#next();
      where = this.#condition();
    }
    const orderBy: OrderItem[] = [];
    if (this.#isWord('ORDER')) {
      this.#next();
      this.#expectWord('BY');
      do {
        const field = this.#fieldRef();
        let desc = false;
        if (this.#isWord('ASC')) this.#next();
        else if (this.#isWord('DESC')) {
          this.#next();
          desc = true;
        }
        let nullsLast = desc;
        if (this.#isWord('NULLS')) {
          this.#next();
          if (this.#isWord('FIRST')) nullsLast = false;
          else if (this.#isWord('LAST')) nullsLast = true;
          else this.#unexpected();
          this.#next();
        }
        orderBy.push({ field, desc, nullsLast });
      } while (this.#peek.kind === 'punct' && this.#peek.text === ',' && this.#next());
    }
    let limit: number | null = null;
    let offset: number | null = null;
    if (this.#isWord('LIMIT')) {
      this.#next();
      limit = this.#integer();
    }
    if (this.#isWord('OFFSET')) {
      this.#next();
      offset = this.#integer();
    }
    if (this.#peek.kind !== 'eof') this.#unexpected();
    return {
      select,
      from: { name: fromToken.text, pos: fromToken.pos },
      where,
      orderBy,
      limit,
      offset,
    };
  }

  #integer(): number {
    const token = this.#next();
    if (token.kind !== 'number' || !/^\d+$/.test(token.text)) this.#unexpected(token);
    return Number(token.text);
  }

  #selectItem(): SelectItem {
    const token = this.#peek;
    if (token.kind === 'punct' && token.text === '(') {
      throw new SoqlError(
        'MALFORMED_QUERY',
        'child relationship sub-queries are not supported by the Tandem Salesforce emulator',
        token.pos,
      );
    }
    if (this.#isWord('COUNT') && this.#tokens[this.#i + 1]?.text === '(') {
      this.#next();
      this.#next();
      let field: FieldRef | null = null;
      if (!(this.#peek.kind === 'punct' && this.#peek.text === ')')) field = this.#fieldRef();
      this.#expectPunct(')');
      let alias: string | null = null;
      if (this.#peek.kind === 'ident' && !reserved.has(this.#peek.text.toUpperCase()))
        alias = this.#next().text;
      return { kind: 'count', field, alias, pos: token.pos };
    }
    return { kind: 'field', field: this.#fieldRef() };
  }

  #fieldRef(): FieldRef {
    const token = this.#peek;
    if (token.kind !== 'ident' || reserved.has(token.text.toUpperCase())) this.#unexpected();
    if (this.#tokens[this.#i + 1]?.text === '(') this.#unexpected();
    this.#next();
    return { path: token.text, pos: token.pos };
  }

  #condition(): Condition {
    const first = this.#unary();
    if (!this.#isWord('AND') && !this.#isWord('OR')) return first;
    const op = this.#peek.text.toUpperCase();
    const items = [first];
    while (this.#isWord(op)) {
      this.#next();
      items.push(this.#unary());
    }
    // SOQL refuses AND and OR side by side without parentheses.
    if (this.#isWord('AND') || this.#isWord('OR')) this.#unexpected();
    return { kind: op === 'AND' ? 'and' : 'or', items };
  }

  #unary(): Condition {
    // Deeply nested conditions are refused before they can exhaust the stack.
    if (++this.#depth > 64)
      throw new SoqlError('MALFORMED_QUERY', 'conditions are nested too deeply', this.#peek.pos);
    try {
      return this.#unaryInner();
    } finally {
      this.#depth--;
    }
  }

  #unaryInner(): Condition {
    if (this.#isWord('NOT')) {
      this.#next();
      return { kind: 'not', item: this.#unary() };
    }
    if (this.#peek.kind === 'punct' && this.#peek.text === '(') {
      this.#next();
      const inner = this.#condition();
      this.#expectPunct(')');
      return inner;
    }
    return this.#predicate();
  }

  #predicate(): Condition {
    const field = this.#fieldRef();
    const token = this.#peek;
    if (token.kind === 'op') {
      this.#next();
      return { kind: 'cmp', field, op: token.value, value: this.#literal(), pos: token.pos };
    }
    if (this.#isWord('LIKE')) {
      this.#next();
      const pattern = this.#next();
      if (pattern.kind !== 'string') this.#unexpected(pattern);
      return { kind: 'like', field, pattern: pattern.value, pos: token.pos };
    }
    let negate = false;
    if (this.#isWord('NOT')) {
      this.#next();
      negate = true;
      if (!this.#isWord('IN')) this.#unexpected();
    }
    if (this.#isWord('IN')) {
      this.#next();
      this.#expectPunct('(');
      if (this.#isWord('SELECT')) {
        throw new SoqlError(
          'MALFORMED_QUERY',
          'semi-join sub-queries (IN (SELECT …)) are not supported by the Tandem Salesforce emulator',
          this.#peek.pos,
        );
      }
      const values: Literal[] = [this.#literal()];
      while (this.#peek.kind === 'punct' && this.#peek.text === ',') {
        this.#next();
        values.push(this.#literal());
      }
      this.#expectPunct(')');
      return { kind: 'in', field, negate, values, pos: token.pos };
    }
    return this.#unexpected();
  }

  #literal(): Literal {
    const token = this.#next();
    switch (token.kind) {
      case 'string':
        return { kind: 'string', value: token.value };
      case 'number':
        return { kind: 'number', value: Number(token.text) };
      case 'date':
        return { kind: 'date', value: token.text };
      case 'datetime':
        return { kind: 'datetime', value: token.text };
      case 'ident': {
        const word = token.text.toUpperCase();
        if (word === 'NULL') return { kind: 'null' };
        if (word === 'TRUE' || word === 'FALSE') return { kind: 'boolean', value: word === 'TRUE' };
        if (fixedDateLiterals.has(word)) return { kind: 'dateLiteral', name: word, n: null };
        if (nDateLiterals.has(word)) {
          this.#expectPunct(':');
          return { kind: 'dateLiteral', name: word, n: this.#integer() };
        }
        if (/^(LAST|NEXT|THIS)_/.test(word) || /_N_/.test(word)) {
          throw new SoqlError(
            'MALFORMED_QUERY',
            `date literal ${word} is not supported by the Tandem Salesforce emulator`,
            token.pos,
          );
        }
        return this.#unexpected(token);
      }
      default:
        return this.#unexpected(token);
    }
  }
}

export function parseSoql(text: string): Query {
  return new Parser(text).parse();
}

/** Salesforce's way of pointing at the error: the query line, a caret, then Row and Column. */
export function formatSoqlError(text: string, pos: number | null, message: string): string {
  if (pos === null) return message;
  const before = text.slice(0, pos);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = text.indexOf('\n', pos);
  const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
  const column = pos - lineStart + 1;
  return `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${message}`;
}
