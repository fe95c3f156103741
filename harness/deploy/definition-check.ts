/**
 * Validates one ASL definition with the engine's validator
 * (harness/asl/validation — the same checks CreateStateMachine and
 * ValidateStateMachineDefinition apply on the embedded endpoint, so a workflow
 * that passes here is one the engine runs) and reports each problem with its
 * state and field.
 */
import { distance } from 'fastest-levenshtein';
import { validateDefinition } from '../asl/validation/index.ts';

export interface DefinitionIssue {
  severity: 'ERROR' | 'WARNING';
  /** Innermost state name, when the issue is inside a state. */
  state?: string;
  /** Field inside the state, or a top-level field. */
  field?: string;
  /** Full path, e.g. `States.ProcessImage.Branches[0].States.ResizeImage.Retry[0].BackoffRate`. */
  location: string;
  message: string;
}

/** Splits `States.A.Branches[0].States.B.Retry[0].BackoffRate` (or `/States/A/...`) into state B and field `Retry[0].BackoffRate`. */
export function splitLocation(location: string): { state?: string; field?: string } {
  let segs: string[];
  if (location.startsWith('/')) {
    segs = location
      .slice(1)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  } else {
    segs = [];
    const re = /([^.[\]]+)|\[(\d+)\]/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(location))) segs.push(m[1] ?? m[2]!);
  }
  let stateIdx = -1;
  for (let i = 0; i < segs.length - 1; i++) if (segs[i] === 'States') stateIdx = i + 1;
  if (stateIdx < 0) return segs.length ? { field: joinField(segs) } : {};
  const rest = segs.slice(stateIdx + 1);
  const out: { state?: string; field?: string } = { state: segs[stateIdx]! };
  if (rest.length) out.field = joinField(rest);
  return out;
}

function joinField(segs: string[]): string {
  return segs.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '');
}

export async function checkDefinition(text: string): Promise<DefinitionIssue[]> {
  try {
    JSON.parse(text);
  } catch (e) {
    return [{ severity: 'ERROR', location: '', message: `definition is not valid JSON: ${(e as Error).message}` }];
  }
  return validateDefinition(text).map((d) => ({
    severity: d.severity,
    location: d.location,
    message: d.code && d.code !== 'SCHEMA_VALIDATION_FAILED' ? `${d.message} (${d.code})` : d.message,
    ...splitLocation(d.location),
  }));
}

/** ` (did you mean "X"?)` when a name is close to one of `names`, else ''. */
export function suggest(value: string, names: Iterable<string>): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    const d = distance(value.toLowerCase(), n.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(value.length / 3)) ? ` (did you mean ${JSON.stringify(best)}?)` : '';
}
