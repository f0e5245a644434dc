/** Turns schema issues and JSON syntax errors into the one-line reasons layout errors carry. */

interface Issue {
  code?: string;
  input?: unknown;
  expected?: string;
  values?: readonly unknown[];
  keys?: readonly string[];
  minimum?: number | bigint;
  inclusive?: boolean;
  origin?: string;
  schema?: unknown;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list [...]',
  object: 'an object {...}',
};

/** Error map for the layout schema: plain words, and the offending value quoted. */
export function formatIssue(issue: Issue): string | undefined {
  if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) {
    const hint = issue.values ? `; use ${listValues(issue.values)}` : '';
    return `missing${hint}`;
  }
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${EXPECTED[issue.expected ?? ''] ?? issue.expected}, got ${describeValue(issue.input)}`;
    case 'invalid_value':
      return `${describeValue(issue.input)} is not ${issue.values?.length === 1 ? '' : 'one of '}${listValues(issue.values ?? [])}`;
    case 'unrecognized_keys': {
      const keys = (issue.keys ?? []).map((k) => JSON.stringify(k)).join(', ');
      const allowed = allowedKeys(issue.schema);
      return `unknown key${(issue.keys?.length ?? 0) > 1 ? 's' : ''} ${keys}${allowed ? `; allowed: ${allowed}` : ''}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return 'must not be empty';
      return issue.inclusive ? `must be at least ${issue.minimum}` : `must be more than ${issue.minimum}`;
    default:
      return undefined;
  }
}

function listValues(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' ? `"${v}"` : String(v)));
  return shown.length < 2 ? shown.join('') : `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}

function allowedKeys(schema: unknown): string | undefined {
  const shape = (schema as { def?: { shape?: Record<string, unknown> } } | undefined)?.def?.shape;
  return shape ? Object.keys(shape).join(', ') : undefined;
}

/** Line and column (1-based) of a JSON.parse failure, and its reason without the position or a text excerpt. */
export function locateJsonError(text: string, error: Error): { line: number; column: number; reason: string } {
  const m = /at position (\d+)/.exec(error.message);
  const offset = m ? Number(m[1]) : findErrorOffset(text);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  // The engine's message may quote the text ("Unexpected token 'r', "root:$y$..." is not valid JSON"): only
  // its kind is kept, so that a file given by mistake is never echoed.
  const reason = error.message
    .replace(/^Unexpected token (?:'(.)'|(\S)).*$/s, (_, quoted?: string, bare?: string) => {
      const token = quoted ?? bare ?? '';
      return '{}[],:"'.includes(token) && token !== '' ? `unexpected token '${token}'` : 'unexpected character';
    })
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/ (in JSON )?at position \d+/, '')
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/^Unexpected end of JSON input$/, 'the document ends too early');
  return { line, column, reason: reason.charAt(0).toLowerCase() + reason.slice(1) };
}

/**
 * Some engine messages carry no position ("Unexpected token '}', ... is not valid JSON"). A prefix of the
 * text that fails only because it ends is still valid so far, so the shortest prefix that fails for another
 * reason ends at the bad character: found by bisection.
 */
function findErrorOffset(text: string): number {
  const failsInside = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      const message = (error as Error).message;
      const at = /at position (\d+)/.exec(message);
      return !/Unexpected end of JSON input/.test(message) && (at === null || Number(at[1]) < length);
    }
  };
  let lo = 1;
  let hi = text.length;
  if (!failsInside(hi)) return text.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (failsInside(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}
