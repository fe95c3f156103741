/**
 * Rules the JSON schemas cannot express, applied to the top-level machine and,
 * recursively, to every Parallel branch and Map ItemProcessor/Iterator:
 * transitions and reachability, terminal states, unique state names,
 * Retry/Catch rules, fields allowed per query language, and the syntax of
 * every JSONPath, intrinsic function and JSONata expression.
 * https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html
 */
import type { Diagnostic } from '../api.ts';
import { COMPARISONS, TYPE_TESTS, isTimestamp } from '../choice/index.ts';
import { checkIntrinsic, isIntrinsic } from '../intrinsics/index.ts';
import { jsonataExpressionText, jsonataSyntaxError, jsonataTopLevelContextReference } from '../jsonata/index.ts';
import { compilePath, PathSyntaxError } from '../jsonpath/path.ts';
import { fieldVerdict, STATE_TYPES, type QueryLanguage } from './fields.ts';
import { formatLocation, type LocationPart } from './location.ts';

type Obj = Record<string, unknown>;

export interface SemanticOptions {
  /** Reject what the engine cannot run: return a message for an unsupported state, else undefined. */
  unsupported?: (state: Obj, type: string) => string | undefined;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_NAME = 80;
const RETRY_FIELDS = ['ErrorEquals', 'IntervalSeconds', 'MaxAttempts', 'BackoffRate', 'MaxDelaySeconds', 'JitterStrategy', 'Comment'];
const CHOICE_RULE_KEYS = new Set(['Variable', 'And', 'Or', 'Not', 'Next', 'Comment', 'Assign', 'StringMatches', ...TYPE_TESTS, ...COMPARISONS.keys()]);

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

class Checker {
  readonly out: Diagnostic[] = [];
  /** Every state name with where it was declared (names are unique across the whole definition). */
  private readonly names = new Map<string, string>();

  constructor(private readonly options: SemanticOptions) {}

  error(where: readonly LocationPart[], message: string, code = 'SCHEMA_VALIDATION_FAILED'): void {
    this.out.push({ severity: 'ERROR', code, location: formatLocation(where), message });
  }

  warning(where: readonly LocationPart[], message: string, code: string): void {
    this.out.push({ severity: 'WARNING', code, location: formatLocation(where), message });
  }

  /** A state machine: the top level, a Parallel branch or a Map processor. */
  machine(m: Obj, at: LocationPart[], language: QueryLanguage): void {
    let ql = language;
    if (m.QueryLanguage !== undefined) {
      if (m.QueryLanguage !== 'JSONPath' && m.QueryLanguage !== 'JSONata') {
        this.error([...at, 'QueryLanguage'], "must be 'JSONPath' or 'JSONata'");
      } else {
        ql = m.QueryLanguage;
      }
    }
    const states = m.States;
    if (!isObj(states) || Object.keys(states).length === 0) {
      this.error([...at, 'States'], 'must be an object with at least one state');
      return;
    }
    if (typeof m.StartAt !== 'string') {
      this.error([...at, 'StartAt'], 'is required and must name a state');
    } else if (!(m.StartAt in states)) {
      this.error([...at, 'StartAt'], `names '${m.StartAt}', which is not a state in this ${at.length ? 'scope' : 'state machine'}`);
    }
    if (m.TimeoutSeconds !== undefined && (!isInt(m.TimeoutSeconds) || m.TimeoutSeconds < 0)) {
      this.error([...at, 'TimeoutSeconds'], 'must be a non-negative integer');
    }

    let terminal = false;
    for (const [name, state] of Object.entries(states)) {
      const where = [...at, 'States', name];
      this.stateName(name, where);
      if (!isObj(state)) {
        this.error(where, 'must be an object');
        continue;
      }
      if (state.End === true || state.Type === 'Succeed' || state.Type === 'Fail') terminal = true;
      this.state(state, where, states, ql);
    }
    if (!terminal) this.error([...at, 'States'], 'has no terminal state (End: true, Succeed or Fail)', 'MISSING_END_STATE');
    if (typeof m.StartAt === 'string' && m.StartAt in states) this.reachability(m.StartAt, states, at);
  }

  private stateName(name: string, where: LocationPart[]): void {
    const previous = this.names.get(name);
    if (previous !== undefined) {
      this.error(where, `state name '${name}' is already used at ${previous}; names must be unique across the whole definition, including Parallel branches and Map processors`, 'DUPLICATE_STATE_NAME');
    } else {
      this.names.set(name, formatLocation(where));
    }
    if (name.length === 0 || name.length > MAX_NAME) this.error(where, `state names must be 1 to ${MAX_NAME} characters`, 'INVALID_STATE_NAME');
  }

  private reachability(start: string, states: Obj, at: LocationPart[]): void {
    const seen = new Set<string>();
    const queue = [start];
    while (queue.length) {
      const name = queue.pop()!;
      if (seen.has(name) || !(name in states)) continue;
      seen.add(name);
      queue.push(...targets(states[name]));
    }
    for (const name of Object.keys(states)) {
      if (!seen.has(name)) this.error([...at, 'States', name], `state '${name}' is not reachable from StartAt`);
    }
  }

  private target(where: LocationPart[], value: unknown, states: Obj): void {
    if (typeof value !== 'string') {
      this.error(where, 'must be the name of a state');
    } else if (!(value in states)) {
      this.error(where, `names '${value}', which is not a state in the same scope (a branch or Map processor cannot leave its own States)`);
    }
  }

  private state(s: Obj, where: LocationPart[], states: Obj, language: QueryLanguage): void {
    const type = s.Type;
    if (typeof type !== 'string' || !(STATE_TYPES as readonly string[]).includes(type)) {
      // AWS's wording and order (recorded TestState rejection).
      this.error([...where, 'Type'], "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]");
      return;
    }
    let ql = language;
    if (s.QueryLanguage !== undefined) {
      if (s.QueryLanguage !== 'JSONPath' && s.QueryLanguage !== 'JSONata') this.error([...where, 'QueryLanguage'], "must be 'JSONPath' or 'JSONata'");
      else ql = s.QueryLanguage;
    }

    for (const field of Object.keys(s)) {
      const verdict = fieldVerdict(type, field, ql);
      if (verdict === 'other-language') {
        this.error([...where, field], `is not supported in a ${ql} state (set "QueryLanguage": "${ql === 'JSONPath' ? 'JSONata' : 'JSONPath'}" to use it)`);
      } else if (verdict === 'unknown') {
        this.error([...where, field], `is not a field of a ${type} state`);
      }
    }

    // Transitions.
    if (type !== 'Choice' && type !== 'Succeed' && type !== 'Fail') {
      const hasNext = s.Next !== undefined;
      const hasEnd = s.End !== undefined;
      if (hasNext === hasEnd || (hasEnd && s.End !== true)) {
        this.error(where, 'must have exactly one of "Next" or "End": true');
      }
      if (hasNext) this.target([...where, 'Next'], s.Next, states);
    }

    const unsupported = unsupportedFeature(s, type) ?? this.options.unsupported?.(s, type);
    if (unsupported) this.error(where, unsupported, type === 'Task' ? 'INVALID_RESOURCE' : 'SCHEMA_VALIDATION_FAILED');

    if (ql === 'JSONPath') this.jsonPathFields(s, where, type);
    else this.jsonataFields(s, where);

    if (s.Assign !== undefined) this.assign(s.Assign, [...where, 'Assign'], ql);
    if (s.Retry !== undefined) this.retry(s.Retry, [...where, 'Retry']);
    if (s.Catch !== undefined) this.catchers(s.Catch, [...where, 'Catch'], states, ql);

    switch (type) {
      case 'Task': this.task(s, where, ql); break;
      case 'Choice': this.choice(s, where, states, ql); break;
      case 'Wait': this.wait(s, where, ql); break;
      case 'Fail': this.fail(s, where); break;
      case 'Parallel': this.parallel(s, where, ql); break;
      case 'Map': this.map(s, where, ql); break;
    }
  }

  // ---- expressions -------------------------------------------------------

  private path(where: LocationPart[], value: unknown, opts: { nullable?: boolean; resultPath?: boolean } = {}): void {
    if (value === null && opts.nullable) return;
    if (typeof value !== 'string') {
      this.error(where, opts.nullable ? 'must be a JSONPath string or null' : 'must be a JSONPath string');
      return;
    }
    try {
      const p = compilePath(value);
      if (opts.resultPath && (p.root !== 'input' || !p.segments || p.pick)) {
        this.error(where, `'${value}' is not a valid ResultPath: it must be a reference path into the input ('$', '$.a.b', '$.a[0]')`);
      }
    } catch (e) {
      if (e instanceof PathSyntaxError) this.error(where, e.message);
      else throw e;
    }
  }

  /** A `.$` value: a path or an intrinsic function call. */
  private dynamic(where: LocationPart[], value: unknown): void {
    if (typeof value !== 'string') {
      this.error(where, 'a field ending in ".$" must have a string value: a JSONPath or an intrinsic function');
      return;
    }
    if (isIntrinsic(value)) {
      for (const problem of checkIntrinsic(value)) this.error(where, problem);
    } else {
      this.path(where, value);
    }
  }

  /** Parameters / ResultSelector / ItemSelector / Assign (JSONPath): payload templates. */
  private template(value: unknown, where: LocationPart[], allowNoDollarWarning = true): void {
    if (Array.isArray(value)) {
      value.forEach((v, i) => this.template(v, [...where, i], allowNoDollarWarning));
      return;
    }
    if (!isObj(value)) return;
    const outKeys = new Map<string, string>();
    for (const [key, v] of Object.entries(value)) {
      const plainKey = key.endsWith('.$') ? key.slice(0, -2) : key;
      const clash = outKeys.get(plainKey);
      if (clash !== undefined) this.error([...where, key], `duplicates the field '${clash}' once ".$" is removed`);
      outKeys.set(plainKey, key);
      if (key.endsWith('.$')) {
        this.dynamic([...where, key], v);
      } else {
        if (allowNoDollarWarning && typeof v === 'string' && (/^\$[.[]/.test(v) || v.startsWith('$$.') || (isIntrinsic(v) && v.endsWith(')')))) {
          this.warning([...where, key], `looks like a path or intrinsic function but the field name does not end in ".$", so it is passed as the literal string '${v}'`, 'NO_DOLLAR');
        }
        this.template(v, [...where, key], allowNoDollarWarning);
      }
    }
  }

  /** Every `{% %}` string anywhere inside a JSONata field value must compile. */
  private jsonata(value: unknown, where: LocationPart[]): void {
    if (typeof value === 'string') {
      const text = jsonataExpressionText(value);
      if (text !== undefined) {
        const problem = text === '' ? 'empty JSONata expression' : jsonataSyntaxError(text);
        if (problem) {
          this.error(where, `invalid JSONata expression '${text}': ${problem}`);
        } else {
          const ref = jsonataTopLevelContextReference(text);
          if (ref) this.error(where, `the JSONata expression '${text}' uses ${ref} at the top level; Step Functions has no context value there — read the input as $states.input`);
        }
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => this.jsonata(v, [...where, i]));
    } else if (isObj(value)) {
      for (const [k, v] of Object.entries(value)) this.jsonata(v, [...where, k]);
    }
  }

  private jsonPathFields(s: Obj, where: LocationPart[], type: string): void {
    for (const f of ['InputPath', 'OutputPath']) if (f in s) this.path([...where, f], s[f], { nullable: true });
    if ('ResultPath' in s) this.path([...where, 'ResultPath'], s.ResultPath, { nullable: true, resultPath: true });
    for (const f of ['ItemsPath', 'SecondsPath', 'TimestampPath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath', 'MaxConcurrencyPath', 'ToleratedFailurePercentagePath', 'ToleratedFailureCountPath']) {
      if (f in s) this.path([...where, f], s[f]);
    }
    for (const f of ['ErrorPath', 'CausePath']) {
      if (f in s) {
        if (typeof s[f] === 'string' && isIntrinsic(s[f])) this.dynamic([...where, f], s[f]);
        else this.path([...where, f], s[f]);
      }
    }
    for (const f of ['Parameters', 'ResultSelector', 'ItemSelector']) {
      if (!(f in s)) continue;
      if (!isObj(s[f]) && !(f === 'Parameters' && type === 'Pass')) this.error([...where, f], 'must be a JSON object (a payload template)');
      this.template(s[f], [...where, f]);
    }
    if (type === 'Pass' && 'Result' in s) {
      const dollarKeys = findDollarKeys(s.Result, [...where, 'Result']);
      for (const at of dollarKeys) {
        this.warning(at, 'a Pass state\'s Result is static: keys ending in ".$" are not evaluated (use Parameters)', 'PASS_RESULT_IS_STATIC');
      }
    }
  }

  private jsonataFields(s: Obj, where: LocationPart[]): void {
    for (const f of ['Arguments', 'Output', 'Items', 'ItemSelector', 'TimeoutSeconds', 'HeartbeatSeconds', 'Seconds', 'Timestamp', 'MaxConcurrency', 'ToleratedFailureCount', 'ToleratedFailurePercentage', 'Error', 'Cause']) {
      if (f in s) this.jsonata(s[f], [...where, f]);
    }
    if ('Arguments' in s && typeof s.Arguments === 'string' && jsonataExpressionText(s.Arguments) === undefined) {
      this.error([...where, 'Arguments'], 'must be an object or a JSONata expression "{% … %}"');
    }
  }

  private assign(value: unknown, where: LocationPart[], ql: QueryLanguage): void {
    if (!isObj(value)) {
      this.error(where, 'must be an object of variable names to values');
      return;
    }
    for (const key of Object.keys(value)) {
      const name = ql === 'JSONPath' && key.endsWith('.$') ? key.slice(0, -2) : key;
      if (!VARIABLE_NAME.test(name) || name.length > MAX_NAME) {
        this.error([...where, key], `'${name}' is not a valid variable name (letters, digits and _, not starting with a digit, at most ${MAX_NAME} characters)`);
      } else if (ql === 'JSONata' && name === 'states') {
        this.error([...where, key], "'states' is reserved ($states)");
      }
      if (ql === 'JSONata' && key.endsWith('.$')) this.error([...where, key], 'JSONata states do not use ".$" keys; write the value as "{% … %}"');
    }
    if (ql === 'JSONPath') this.template(value, where, false);
    else this.jsonata(value, where);
  }

  private retry(value: unknown, where: LocationPart[]): void {
    if (!Array.isArray(value)) {
      this.error(where, 'must be an array of retriers');
      return;
    }
    value.forEach((r, i) => {
      const at = [...where, i];
      if (!isObj(r)) {
        this.error(at, 'must be an object');
        return;
      }
      for (const k of Object.keys(r)) if (!RETRY_FIELDS.includes(k)) this.error([...at, k], 'is not a field of a retrier');
      this.errorEquals(r.ErrorEquals, [...at, 'ErrorEquals'], i === value.length - 1, 'retrier');
      if (r.IntervalSeconds !== undefined && (!isInt(r.IntervalSeconds) || r.IntervalSeconds < 1 || r.IntervalSeconds > 99999999)) this.error([...at, 'IntervalSeconds'], 'must be an integer from 1 to 99999999');
      if (r.MaxAttempts !== undefined && (!isInt(r.MaxAttempts) || r.MaxAttempts < 0 || r.MaxAttempts > 99999999)) this.error([...at, 'MaxAttempts'], 'must be an integer from 0 to 99999999');
      if (r.BackoffRate !== undefined && (typeof r.BackoffRate !== 'number' || r.BackoffRate < 1)) this.error([...at, 'BackoffRate'], 'must be ≥ 1.0');
      if (r.MaxDelaySeconds !== undefined && (!isInt(r.MaxDelaySeconds) || r.MaxDelaySeconds < 1 || r.MaxDelaySeconds > 31622400)) this.error([...at, 'MaxDelaySeconds'], 'must be an integer from 1 to 31622400');
      if (r.JitterStrategy !== undefined && r.JitterStrategy !== 'FULL' && r.JitterStrategy !== 'NONE') this.error([...at, 'JitterStrategy'], "must be 'FULL' or 'NONE'");
    });
  }

  private errorEquals(value: unknown, where: LocationPart[], isLast: boolean, what: string): void {
    if (!Array.isArray(value) || value.length === 0 || !value.every((e) => typeof e === 'string')) {
      this.error(where, 'must be a non-empty array of error names');
      return;
    }
    if (value.includes('States.ALL')) {
      if (value.length > 1) this.error(where, "'States.ALL' must appear alone in ErrorEquals");
      if (!isLast) this.error(where, `'States.ALL' must be in the last ${what}`);
    }
  }

  private catchers(value: unknown, where: LocationPart[], states: Obj, ql: QueryLanguage): void {
    if (!Array.isArray(value)) {
      this.error(where, 'must be an array of catchers');
      return;
    }
    value.forEach((c, i) => {
      const at = [...where, i];
      if (!isObj(c)) {
        this.error(at, 'must be an object');
        return;
      }
      const allowed = ['ErrorEquals', 'Next', 'Comment', 'Assign', ql === 'JSONPath' ? 'ResultPath' : 'Output'];
      for (const k of Object.keys(c)) {
        if (!allowed.includes(k)) {
          const other = k === 'ResultPath' || k === 'Output';
          this.error([...at, k], other ? `is not supported in a ${ql} catcher` : 'is not a field of a catcher');
        }
      }
      this.errorEquals(c.ErrorEquals, [...at, 'ErrorEquals'], i === value.length - 1, 'catcher');
      this.target([...at, 'Next'], c.Next, states);
      if (ql === 'JSONPath' && 'ResultPath' in c) this.path([...at, 'ResultPath'], c.ResultPath, { nullable: true, resultPath: true });
      if (ql === 'JSONata' && 'Output' in c) this.jsonata(c.Output, [...at, 'Output']);
      if (c.Assign !== undefined) this.assign(c.Assign, [...at, 'Assign'], ql);
    });
  }

  // ---- state types -------------------------------------------------------

  private task(s: Obj, where: LocationPart[], ql: QueryLanguage): void {
    if (typeof s.Resource !== 'string' || !/^arn:aws[a-z-]*:[^:]+:[^:]*:[^:]*:.+/.test(s.Resource)) {
      this.error([...where, 'Resource'], 'must be an ARN (a Lambda function, an activity, or arn:aws:states:::<service>:<action>)', 'INVALID_RESOURCE');
    }
    this.exclusive(s, where, 'TimeoutSeconds', 'TimeoutSecondsPath');
    this.exclusive(s, where, 'HeartbeatSeconds', 'HeartbeatSecondsPath');
    if (ql === 'JSONPath' || typeof s.TimeoutSeconds !== 'string') {
      if (s.TimeoutSeconds !== undefined && (!isInt(s.TimeoutSeconds) || s.TimeoutSeconds < 1 || s.TimeoutSeconds > 99999999)) this.error([...where, 'TimeoutSeconds'], 'must be a positive integer (at most 99999999)');
    }
    if (ql === 'JSONPath' || typeof s.HeartbeatSeconds !== 'string') {
      if (s.HeartbeatSeconds !== undefined && (!isInt(s.HeartbeatSeconds) || s.HeartbeatSeconds < 1 || s.HeartbeatSeconds > 99999999)) this.error([...where, 'HeartbeatSeconds'], 'must be a positive integer (at most 99999999)');
    }
    if (isInt(s.TimeoutSeconds) && isInt(s.HeartbeatSeconds) && s.HeartbeatSeconds >= s.TimeoutSeconds) {
      this.error([...where, 'HeartbeatSeconds'], `must be smaller than TimeoutSeconds (${s.TimeoutSeconds})`);
    }
  }

  private exclusive(s: Obj, where: LocationPart[], a: string, b: string): void {
    if (a in s && b in s) this.error([...where, b], `cannot be combined with ${a}`);
  }

  private wait(s: Obj, where: LocationPart[], ql: QueryLanguage): void {
    const present = ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'].filter((f) => f in s);
    if (present.length !== 1) {
      this.error(where, `must have exactly one of Seconds, SecondsPath, Timestamp, TimestampPath${present.length ? ` (has ${present.join(', ')})` : ''}`);
    }
    const seconds = s.Seconds;
    if (seconds !== undefined && !(ql === 'JSONata' && typeof seconds === 'string' && jsonataExpressionText(seconds) !== undefined)) {
      if (!isInt(seconds) || seconds < 0 || seconds > 99999999) this.error([...where, 'Seconds'], 'must be an integer from 0 to 99999999');
    }
    const ts = s.Timestamp;
    if (ts !== undefined && !(ql === 'JSONata' && typeof ts === 'string' && jsonataExpressionText(ts) !== undefined)) {
      if (!isTimestamp(ts)) this.error([...where, 'Timestamp'], 'must be an RFC 3339 timestamp such as 2026-01-31T12:00:00Z');
    }
  }

  private fail(s: Obj, where: LocationPart[]): void {
    this.exclusive(s, where, 'Error', 'ErrorPath');
    this.exclusive(s, where, 'Cause', 'CausePath');
    for (const f of ['Error', 'Cause']) if (f in s && typeof s[f] !== 'string') this.error([...where, f], 'must be a string');
  }

  private choice(s: Obj, where: LocationPart[], states: Obj, ql: QueryLanguage): void {
    if (!Array.isArray(s.Choices) || s.Choices.length === 0) {
      this.error([...where, 'Choices'], 'must be a non-empty array of choice rules');
    } else {
      s.Choices.forEach((rule, i) => {
        const at = [...where, 'Choices', i];
        if (!isObj(rule)) {
          this.error(at, 'must be an object');
          return;
        }
        this.target([...at, 'Next'], rule.Next, states);
        if (rule.Assign !== undefined) this.assign(rule.Assign, [...at, 'Assign'], ql);
        if (ql === 'JSONata') {
          for (const k of Object.keys(rule)) {
            if (!['Condition', 'Next', 'Comment', 'Assign', 'Output'].includes(k)) {
              this.error([...at, k], CHOICE_RULE_KEYS.has(k) ? 'is not supported in a JSONata Choice rule (use "Condition")' : 'is not a field of a Choice rule');
            }
          }
          if (!('Condition' in rule)) this.error(at, 'a JSONata Choice rule needs a "Condition"');
          else if (typeof rule.Condition === 'string') this.jsonata(rule.Condition, [...at, 'Condition']);
          else if (typeof rule.Condition !== 'boolean') this.error([...at, 'Condition'], 'must be a JSONata expression "{% … %}" or a boolean');
          if ('Output' in rule) this.jsonata(rule.Output, [...at, 'Output']);
        } else {
          this.rule(rule, at, true);
        }
      });
    }
    if (s.Default !== undefined) this.target([...where, 'Default'], s.Default, states);
  }

  /** A JSONPath choice rule: one comparison (with Variable) or one of And/Or/Not. */
  private rule(rule: Obj, at: LocationPart[], top: boolean): void {
    for (const k of Object.keys(rule)) {
      if (k === 'Condition') this.error([...at, k], 'is not supported in a JSONPath Choice rule (use Variable and a comparison operator)');
      else if (!CHOICE_RULE_KEYS.has(k)) this.error([...at, k], 'is not a Choice rule field or comparison operator');
    }
    if (!top && 'Next' in rule) this.error([...at, 'Next'], 'only top-level Choice rules may have Next');
    if (!top && 'Assign' in rule) this.error([...at, 'Assign'], 'only top-level Choice rules may have Assign');
    const combinators = ['And', 'Or', 'Not'].filter((k) => k in rule);
    const operators = Object.keys(rule).filter((k) => COMPARISONS.has(k) || k === 'StringMatches' || (TYPE_TESTS as readonly string[]).includes(k));
    if (combinators.length + operators.length !== 1) {
      this.error(at, `must have exactly one comparison operator or one of And, Or, Not${operators.length + combinators.length ? ` (has ${[...combinators, ...operators].join(', ')})` : ''}`);
      return;
    }
    if (combinators.length) {
      const k = combinators[0]!;
      if ('Variable' in rule) this.error([...at, 'Variable'], `cannot be combined with ${k}`);
      if (k === 'Not') {
        if (!isObj(rule.Not)) this.error([...at, 'Not'], 'must be a choice rule object');
        else this.rule(rule.Not, [...at, 'Not'], false);
      } else {
        const list = rule[k];
        if (!Array.isArray(list) || list.length === 0) this.error([...at, k], 'must be a non-empty array of choice rules');
        else list.forEach((r, i) => (isObj(r) ? this.rule(r, [...at, k, i], false) : this.error([...at, k, i], 'must be a choice rule object')));
      }
      return;
    }
    if (!('Variable' in rule)) this.error(at, 'a comparison needs a "Variable"');
    else this.path([...at, 'Variable'], rule.Variable);
    const op = operators[0]!;
    const operand = rule[op];
    const opAt = [...at, op];
    const cmp = COMPARISONS.get(op);
    if ((TYPE_TESTS as readonly string[]).includes(op)) {
      if (typeof operand !== 'boolean') this.error(opAt, 'must be true or false');
    } else if (op === 'StringMatches') {
      if (typeof operand !== 'string') this.error(opAt, 'must be a string pattern');
    } else if (cmp?.path) {
      this.path(opAt, operand);
    } else if (cmp) {
      const ok = cmp.kind === 'String' ? typeof operand === 'string'
        : cmp.kind === 'Numeric' ? typeof operand === 'number'
        : cmp.kind === 'Boolean' ? typeof operand === 'boolean'
        : isTimestamp(operand);
      if (!ok) this.error(opAt, cmp.kind === 'Timestamp' ? 'must be an RFC 3339 timestamp string' : `must be a ${cmp.kind === 'Numeric' ? 'number' : cmp.kind.toLowerCase()}`);
    }
  }

  private parallel(s: Obj, where: LocationPart[], ql: QueryLanguage): void {
    if (!Array.isArray(s.Branches) || s.Branches.length === 0) {
      this.error([...where, 'Branches'], Array.isArray(s.Branches) ? 'Value cannot be empty' : 'must be a non-empty array of state machines');
      return;
    }
    s.Branches.forEach((b, i) => {
      if (!isObj(b)) this.error([...where, 'Branches', i], 'must be an object with StartAt and States');
      else this.machine(b, [...where, 'Branches', i], ql);
    });
  }

  private map(s: Obj, where: LocationPart[], ql: QueryLanguage): void {
    const hasProcessor = 'ItemProcessor' in s;
    const hasIterator = 'Iterator' in s;
    if (hasProcessor === hasIterator) {
      this.error(where, 'must have exactly one of ItemProcessor or Iterator');
    }
    this.exclusive(s, where, 'ItemSelector', 'Parameters');
    this.exclusive(s, where, 'MaxConcurrency', 'MaxConcurrencyPath');
    this.exclusive(s, where, 'ToleratedFailureCount', 'ToleratedFailureCountPath');
    this.exclusive(s, where, 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath');
    const literal = (v: unknown) => !(ql === 'JSONata' && typeof v === 'string' && jsonataExpressionText(v) !== undefined);
    if (s.MaxConcurrency !== undefined && literal(s.MaxConcurrency) && (!isInt(s.MaxConcurrency) || s.MaxConcurrency < 0)) this.error([...where, 'MaxConcurrency'], 'must be a non-negative integer (0 = no limit)');
    if (s.ToleratedFailureCount !== undefined && literal(s.ToleratedFailureCount) && (!isInt(s.ToleratedFailureCount) || s.ToleratedFailureCount < 0)) this.error([...where, 'ToleratedFailureCount'], 'must be a non-negative integer');
    if (s.ToleratedFailurePercentage !== undefined && literal(s.ToleratedFailurePercentage) && (typeof s.ToleratedFailurePercentage !== 'number' || s.ToleratedFailurePercentage < 0 || s.ToleratedFailurePercentage > 100)) this.error([...where, 'ToleratedFailurePercentage'], 'must be a number from 0 to 100');
    if (ql === 'JSONata' && 'Items' in s && !Array.isArray(s.Items) && jsonataExpressionText(s.Items) === undefined) {
      this.error([...where, 'Items'], 'must be an array or a JSONata expression "{% … %}"');
    }
    const key = hasProcessor ? 'ItemProcessor' : 'Iterator';
    const processor = s[key];
    if (!isObj(processor)) {
      if (hasProcessor || hasIterator) this.error([...where, key], 'must be an object with StartAt and States');
      return;
    }
    const config = processor.ProcessorConfig;
    let distributed = false;
    if (config !== undefined) {
      if (!isObj(config)) this.error([...where, key, 'ProcessorConfig'], 'must be an object');
      else {
        if (config.Mode !== undefined && config.Mode !== 'INLINE' && config.Mode !== 'DISTRIBUTED') this.error([...where, key, 'ProcessorConfig', 'Mode'], "must be 'INLINE' or 'DISTRIBUTED'");
        distributed = config.Mode === 'DISTRIBUTED';
        if (distributed && config.ExecutionType === undefined) this.error([...where, key, 'ProcessorConfig'], "ExecutionType ('STANDARD' or 'EXPRESS') is required when Mode is DISTRIBUTED");
        if (distributed && config.ExecutionType !== undefined && config.ExecutionType !== 'STANDARD' && config.ExecutionType !== 'EXPRESS') this.error([...where, key, 'ProcessorConfig', 'ExecutionType'], "must be 'STANDARD' or 'EXPRESS'");
      }
    }
    if (!distributed) {
      // AWS accepts ToleratedFailure* on an inline Map (recorded executions) and ignores them there.
      for (const f of ['ItemReader', 'ItemBatcher', 'ResultWriter', 'Label']) {
        if (f in s) this.error([...where, f], 'is only supported by a distributed Map (ItemProcessor.ProcessorConfig.Mode: DISTRIBUTED)');
      }
    }
    const { ProcessorConfig: _config, ...machine } = processor;
    this.machine(machine, [...where, key], ql);
  }
}

/** Engine-wide limits that are always reported (Rehearse cannot run these). */
function unsupportedFeature(s: Obj, type: string): string | undefined {
  if (type === 'Task' && typeof s.Resource === 'string' && /^arn:aws[a-z-]*:states:[^:]*:[^:]*:activity:/.test(s.Resource)) {
    return 'Activity tasks are not supported by Rehearse (no GetActivityTask/SendTaskSuccess worker API); use a Lambda or service integration';
  }
  return undefined;
}

function targets(state: unknown): string[] {
  if (!isObj(state)) return [];
  const out: string[] = [];
  if (typeof state.Next === 'string') out.push(state.Next);
  if (typeof state.Default === 'string') out.push(state.Default);
  if (Array.isArray(state.Choices)) for (const r of state.Choices) if (isObj(r) && typeof r.Next === 'string') out.push(r.Next);
  if (Array.isArray(state.Catch)) for (const c of state.Catch) if (isObj(c) && typeof c.Next === 'string') out.push(c.Next);
  return out;
}

function findDollarKeys(value: unknown, where: LocationPart[]): LocationPart[][] {
  const out: LocationPart[][] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...findDollarKeys(v, [...where, i])));
  else if (isObj(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k.endsWith('.$')) out.push([...where, k]);
      out.push(...findDollarKeys(v, [...where, k]));
    }
  }
  return out;
}

export function semanticDiagnostics(definition: Obj, options: SemanticOptions = {}): Diagnostic[] {
  const checker = new Checker(options);
  for (const k of Object.keys(definition)) {
    if (!['Comment', 'StartAt', 'States', 'Version', 'TimeoutSeconds', 'QueryLanguage'].includes(k)) checker.error([k], 'is not a top-level field of a state machine');
  }
  checker.machine(definition, [], 'JSONPath');
  return checker.out;
}
