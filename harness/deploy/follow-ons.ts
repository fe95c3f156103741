/**
 * Errors that only follow from an earlier one, so a report can show them
 * once, under their cause, instead of as problems of their own to fix:
 *
 * - in a definition, "no terminal state" when a state's Next (or a Choice's
 *   Default or rule Next) names a state that does not exist — the way out was
 *   the missing state;
 * - in a template, anything else about a resource whose code or definition
 *   location (CodeUri, Code, ContentUri, DefinitionUri, DefinitionS3Location)
 *   or Runtime is already wrong: its handler, its exports, … cannot be checked.
 */
import type { Problem } from './problems.ts';

export interface GroupedProblem {
  problem: Problem;
  /** Errors that follow from this one, in report order. */
  followOns: Problem[];
}

const LOCATION_FIELD = /^(Resources\.[^.]+)\.Properties\.(CodeUri|Code|ContentUri|DefinitionUri|DefinitionS3Location|Runtime)$/;
const DANGLING_NEXT = /^(Next|Default|Choices\[\d+\]\.Next)$/;

function causeOf(p: Problem, all: Problem[]): Problem | undefined {
  if (p.severity !== 'ERROR') return undefined;
  if (/MISSING_END_STATE|no terminal state/.test(p.message)) {
    return all.find((c) => c !== p && c.severity === 'ERROR' && c.file === p.file && c.field !== undefined && DANGLING_NEXT.test(c.field) && /not a state/.test(c.message));
  }
  if (p.field?.startsWith('Resources.')) {
    return all.find((c) => {
      if (c === p || c.severity !== 'ERROR' || c.file !== p.file || c.field === undefined) return false;
      const m = LOCATION_FIELD.exec(c.field);
      return m !== null && p.field!.startsWith(`${m[1]}.`) && !LOCATION_FIELD.test(p.field!);
    });
  }
  return undefined;
}

/** The problems with each follow-on moved under its cause (order otherwise kept). */
export function groupFollowOns(problems: Problem[]): GroupedProblem[] {
  const causes = new Map<Problem, Problem>();
  for (const p of problems) {
    const c = causeOf(p, problems);
    if (c) causes.set(p, c);
  }
  const groups = new Map<Problem, GroupedProblem>();
  const out: GroupedProblem[] = [];
  for (const p of problems) {
    if (causes.has(p)) continue;
    const g = { problem: p, followOns: [] };
    groups.set(p, g);
    out.push(g);
  }
  for (const [p, c] of causes) {
    const g = groups.get(c);
    if (g) g.followOns.push(p);
    else out.push({ problem: p, followOns: [] }); // never hide one whose cause is itself hidden
  }
  return out;
}
