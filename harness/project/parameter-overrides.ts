/**
 * Template parameter overrides as the SAM CLI and `aws cloudformation deploy`
 * write them: `Key=Value Key2="a value with spaces"`, or the long form
 * `ParameterKey=Key,ParameterValue=Value`, as one string or a list of them
 * (samconfig's `parameter_overrides` takes both).
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-cli-command-reference-sam-deploy.html
 */
import { RehearseError } from '../core/index.ts';

/** Splits on unquoted whitespace; quotes (single or double, `\"` inside double) are removed. */
function tokens(text: string, where: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inToken = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"' && (text[i + 1] === '"' || text[i + 1] === '\\')) cur += text[++i];
      else if (c === quote) quote = undefined;
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inToken = true;
    } else if (/\s/.test(c)) {
      if (inToken) out.push(cur);
      cur = '';
      inToken = false;
    } else {
      cur += c;
      inToken = true;
    }
  }
  if (quote) throw new RehearseError('ERR_BAD_INPUT', `${where}: unterminated ${quote} quote in ${JSON.stringify(text)}`);
  if (inToken) out.push(cur);
  return out;
}

const LONG_FORM = /^ParameterKey=([^,]+),ParameterValue=(.*)$/;

/** `Key=Value …` (or a list of such strings) → { Key: Value }; `where` names the source in errors. */
export function parseParameterOverrides(input: string | string[], where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const text of Array.isArray(input) ? input : [input]) {
    for (const token of tokens(text, where)) {
      const long = LONG_FORM.exec(token);
      const eq = token.indexOf('=');
      const [key, value] = long ? [long[1]!, long[2]!] : eq > 0 ? [token.slice(0, eq), token.slice(eq + 1)] : [undefined, undefined];
      if (key === undefined || value === undefined || !/^[A-Za-z0-9]+$/.test(key)) {
        throw new RehearseError('ERR_BAD_INPUT', `${where}: ${JSON.stringify(token)} is not Key=Value or ParameterKey=Key,ParameterValue=Value (template parameter names are alphanumeric)`);
      }
      out[key] = value;
    }
  }
  return out;
}
