/**
 * JSON values that remember the text they were parsed from. TestState answers
 * with a value's original text when the value passed through a state
 * unchanged (a mocked result, the state input, a sub-document ItemsPath
 * selected): AWS echoes `[1, 1, 1]` as sent, not re-serialised as `[1,1,1]`
 * (recorded in shared/conformance/test-state.json). Only objects and arrays
 * can carry their text (primitives have one canonical text anyway).
 */
const TEXTS = new WeakMap<object, string>();

/** JSON.parse that records the source text of every object and array in the result. */
export function parseKeepingText(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (typeof value === 'object' && value !== null) record(text, value);
  return value;
}

/** The text `value` was parsed from, or its JSON serialisation. */
export function textOf(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const t = TEXTS.get(value);
    if (t !== undefined) return t;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Walks the text alongside the parsed value (the text is valid JSON: JSON.parse
 * accepted it) and records each container's span. With duplicate keys the last
 * occurrence is the one JSON.parse kept, so a later span overwrites an earlier one.
 */
function record(text: string, root: object): void {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const skipString = () => {
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
  };
  const readKey = (): string => {
    const start = i;
    skipString();
    return JSON.parse(text.slice(start, i)) as string;
  };
  const skipScalar = () => {
    while (i < text.length && !',]} \n\r\t'.includes(text[i]!)) i++;
  };
  const walk = (value: unknown): void => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      const obj = value as Record<string, unknown>;
      while (text[i] !== '}') {
        const key = readKey();
        ws();
        i++; // ':'
        walk(obj[key]);
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
      TEXTS.set(obj, text.slice(start, i));
    } else if (c === '[') {
      i++;
      ws();
      const arr = value as unknown[];
      let n = 0;
      while (text[i] !== ']') {
        walk(arr[n++]);
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
      TEXTS.set(arr, text.slice(start, i));
    } else if (c === '"') {
      skipString();
    } else {
      skipScalar();
    }
  };
  walk(root);
}
