/**
 * The metric names a PromQL expression reads: every identifier that is not a
 * function, an operator keyword, a modifier or a label name. Good for the
 * expressions of alerts.yml and the Grafana dashboard (Grafana's `$var` and
 * `${var}` are skipped wherever they stand); not a full PromQL parser, so
 * anything it does not know how to read is an error naming the position,
 * never a silently shorter list.
 */

/** PromQL words that are never metric names (matched case-insensitively, as PromQL does). */
const KEYWORDS = new Set([
  // aggregation operators
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
  // set and binary keyword operators
  'and', 'or', 'unless', 'atan2',
  // modifiers
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset',
  // number literals
  'inf', 'nan',
]);

/** Keywords whose parenthesised list holds label names, e.g. `sum by (le, job)`, `on (instance) group_left (nodeId)`. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

type TokenKind = 'ident' | 'string' | 'number' | 'variable' | 'punct';

interface Token {
  kind: TokenKind;
  text: string;
  at: number;
}

const IDENT = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
/** Hex, durations (5m, 1h30m, 500ms) and decimals with an exponent. */
const NUMBER = /^(?:0[xX][0-9a-fA-F]+|(?:\d+(?:ms|[smhdwy]))+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/;
/** Grafana template variables: `$name`, `$__rate_interval`, `${name}`, `${name:regex}`, `[[name]]`. */
const VARIABLE = /^(?:\$\{[^}]*\}|\$[a-zA-Z_][a-zA-Z0-9_]*|\[\[[a-zA-Z_][a-zA-Z0-9_:]*\]\])/;
const OPERATORS = ['==', '!=', '>=', '<=', '=~', '!~', '(', ')', '{', '}', '[', ']', ',', '+', '-', '*', '/', '%', '^', '<', '>', '=', '@', ':'];

/** Thrown for an expression the extractor cannot read; the message names the expression and the position. */
export class PromqlReadError extends Error {}

function fail(expr: string, at: number, what: string): never {
  throw new PromqlReadError(`${what} at position ${at} of: ${expr}`);
}

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const rest = expr.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    if (rest[0] === '#') {
      // A comment runs to the end of its line.
      const end = rest.indexOf('\n');
      i += end === -1 ? rest.length : end;
      continue;
    }
    const quote = rest[0];
    if (quote === '"' || quote === "'" || quote === '`') {
      let j = 1;
      while (j < rest.length && rest[j] !== quote) j += quote !== '`' && rest[j] === '\\' ? 2 : 1;
      if (j >= rest.length) fail(expr, i, 'unterminated string');
      tokens.push({ kind: 'string', text: rest.slice(1, j), at: i });
      i += j + 1;
      continue;
    }
    const variable = VARIABLE.exec(rest);
    const number = NUMBER.exec(rest);
    const ident = IDENT.exec(rest);
    const match = variable ? { kind: 'variable' as const, text: variable[0] } : number ? { kind: 'number' as const, text: number[0] } : ident ? { kind: 'ident' as const, text: ident[0] } : undefined;
    if (match) {
      tokens.push({ ...match, at: i });
      i += match.text.length;
      continue;
    }
    const operator = OPERATORS.find((op) => rest.startsWith(op));
    if (!operator) fail(expr, i, `unexpected character ${JSON.stringify(rest[0])}`);
    tokens.push({ kind: 'punct', text: operator, at: i });
    i += operator.length;
  }
  return tokens;
}

const CLOSER: Record<string, string> = { '(': ')', '{': '}', '[': ']' };

/** The distinct metric names `expr` reads, in the order they first appear. Throws PromqlReadError on what it cannot read. */
export function metricNamesIn(expr: string): string[] {
  const tokens = tokenize(expr);
  const names: string[] = [];
  const add = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  // What each open bracket holds: a selector's matchers, a range or subquery, a label list, or an expression.
  const open: Array<{ bracket: string; holds: 'matchers' | 'range' | 'labels' | 'expression' }> = [];
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k]!;
    const next = tokens[k + 1];
    const inside = open.at(-1)?.holds;
    if (token.kind === 'punct' && token.text in CLOSER) {
      const previous = tokens[k - 1];
      const labelList = token.text === '(' && previous?.kind === 'ident' && LABEL_LIST_KEYWORDS.has(previous.text.toLowerCase());
      open.push({ bracket: token.text, holds: token.text === '{' ? 'matchers' : token.text === '[' ? 'range' : labelList ? 'labels' : 'expression' });
      continue;
    }
    if (token.kind === 'punct' && [')', '}', ']'].includes(token.text)) {
      const top = open.pop();
      if (!top || CLOSER[top.bracket] !== token.text) fail(expr, token.at, `unbalanced ${token.text}`);
      continue;
    }
    if (token.kind !== 'ident' || inside === 'range' || inside === 'labels') continue;
    if (inside === 'matchers') {
      // {__name__="spear_x"} names a metric too; every other identifier in braces is a label.
      const [op, value] = [tokens[k + 1], tokens[k + 2]];
      if (token.text === '__name__' && op?.text === '=' && value?.kind === 'string') add(value.text);
      continue;
    }
    if (next?.kind === 'punct' && next.text === '(') continue; // a function or an aggregation: sum(...), rate(...)
    if (KEYWORDS.has(token.text.toLowerCase())) continue;
    add(token.text);
  }
  if (open.length > 0) fail(expr, expr.length, `unclosed ${open.at(-1)!.bracket}`);
  return names;
}
