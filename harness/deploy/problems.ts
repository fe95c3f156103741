/** A problem found in a template or a definition: where (file, state, field) and what. */
export interface Problem {
  severity: 'ERROR' | 'WARNING';
  file: string;
  /** 1-based line in `file`, when known. */
  line?: number;
  /** The state's name (innermost, for states nested in Parallel/Map). */
  state?: string;
  /** The field inside the state (`Parameters.FunctionName`, `Retry[0].BackoffRate`) or the template path (`Resources.X.Properties.CodeUri`). */
  field?: string;
  message: string;
}

export function formatProblem(p: Problem, cwd?: string): string {
  return `${p.severity === 'ERROR' ? 'error' : 'warning'}: ${problemText(p, cwd)}`;
}

/** A problem without its severity: `file:line, state "S", field F: message` (for callers that say warning/error themselves). */
export function problemText(p: Problem, cwd?: string): string {
  const file = cwd && p.file.startsWith(`${cwd}/`) ? p.file.slice(cwd.length + 1) : p.file;
  const where = [p.line ? `${file}:${p.line}` : file];
  if (p.state !== undefined) where.push(`state ${JSON.stringify(p.state)}`);
  if (p.field !== undefined) where.push(`field ${p.field}`);
  return `${where.join(', ')}: ${p.message}`;
}

/** The 1-based line of the first `"name":` key in JSON text (where a state is defined). */
export function lineOfKey(text: string, name: string, from = 0): number | undefined {
  const needle = `${JSON.stringify(name)}:`;
  let i = text.indexOf(needle, from);
  if (i < 0) i = text.indexOf(`${JSON.stringify(name)} :`, from);
  if (i < 0) return undefined;
  return text.slice(0, i).split('\n').length;
}
