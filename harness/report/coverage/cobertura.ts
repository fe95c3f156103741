/**
 * Workflow coverage as Cobertura XML (coverage-04.dtd, what GitLab merge
 * requests, Azure DevOps and Jenkins' Coverage plugin read): a package per
 * definition file, a class per state machine in it. Each state's line
 * counts its entries; a transition written on a line of its own (a Choice
 * rule, a Default, a catcher, a Next) is a line too, with its branch
 * (`condition-coverage`), counted each time it was taken. Several items
 * written on one line make one line; its branches are those transitions.
 * https://github.com/cobertura/web/blob/master/htdocs/xml/coverage-04.dtd
 */
import { requireCommonJs } from '../../core/commonjs.ts';
import { byFile } from './by-file.ts';
import type { StateMachineCoverage } from './types.ts';

const { XMLBuilder } = requireCommonJs('fast-xml-parser') as typeof import('fast-xml-parser');

interface LineTally {
  number: number;
  hits: number;
  branches: number;
  branchesCovered: number;
}

/** The lines of one state machine, in order. */
function linesOf(m: StateMachineCoverage): LineTally[] {
  const lines = new Map<number, LineTally & { stateHits?: number; taken: number }>();
  const at = (n: number) => {
    let l = lines.get(n);
    if (!l) lines.set(n, (l = { number: n, hits: 0, branches: 0, branchesCovered: 0, taken: 0 }));
    return l;
  };
  for (const s of m.states) if (s.line !== undefined) {
    const l = at(s.line);
    l.stateHits = (l.stateHits ?? 0) + s.entered;
  }
  const stateLine = new Map(m.states.map((s) => [s.path, s.line]));
  for (const t of m.transitions) {
    const n = t.line ?? stateLine.get(t.from);
    if (n === undefined) continue;
    const l = at(n);
    l.branches++;
    if (t.taken > 0) l.branchesCovered++;
    l.taken += t.taken;
  }
  return [...lines.values()].sort((a, b) => a.number - b.number).map((l) => ({ number: l.number, hits: l.stateHits ?? l.taken, branches: l.branches, branchesCovered: l.branchesCovered }));
}

const rate = (covered: number, valid: number) => (valid === 0 ? '1' : (covered / valid).toFixed(4).replace(/\.?0+$/, '') || '0');

function lineElement(l: LineTally): Record<string, unknown> {
  const el: Record<string, unknown> = { '@_number': l.number, '@_hits': l.hits, '@_branch': l.branches > 0 ? 'true' : 'false' };
  if (l.branches > 0) {
    const pct = Math.round((100 * l.branchesCovered) / l.branches);
    el['@_condition-coverage'] = `${pct}% (${l.branchesCovered}/${l.branches})`;
    el.conditions = { condition: { '@_number': 0, '@_type': 'jump', '@_coverage': `${pct}%` } };
  }
  return el;
}

interface Sums {
  lines: number;
  linesCovered: number;
  branches: number;
  branchesCovered: number;
}

function sums(lines: LineTally[]): Sums {
  return {
    lines: lines.length,
    linesCovered: lines.filter((l) => l.hits > 0).length,
    branches: lines.reduce((a, l) => a + l.branches, 0),
    branchesCovered: lines.reduce((a, l) => a + l.branchesCovered, 0),
  };
}

const add = (a: Sums, b: Sums): Sums => ({ lines: a.lines + b.lines, linesCovered: a.linesCovered + b.linesCovered, branches: a.branches + b.branches, branchesCovered: a.branchesCovered + b.branchesCovered });
const ZERO: Sums = { lines: 0, linesCovered: 0, branches: 0, branchesCovered: 0 };
const rates = (s: Sums) => ({ '@_line-rate': rate(s.linesCovered, s.lines), '@_branch-rate': rate(s.branchesCovered, s.branches), '@_complexity': 0 });

export interface CoberturaOptions {
  /** The directory the files' paths are relative to (`<sources>`). */
  sourceDir: string;
  /** Epoch ms (the DTD's `timestamp`). */
  timestamp: number;
  version: string;
}

/** State machines without a known file are left out (the console and JSON still count them). */
export function renderCobertura(machines: StateMachineCoverage[], options: CoberturaOptions): string {
  let total = ZERO;
  const packages = byFile(machines).map(([file, list]) => {
    let pkg = ZERO;
    const classes = list.map((m) => {
      const lines = linesOf(m);
      const s = sums(lines);
      pkg = add(pkg, s);
      return { '@_name': m.name, '@_filename': file, ...rates(s), methods: '', lines: { line: lines.map(lineElement) } };
    });
    total = add(total, pkg);
    return { '@_name': file, ...rates(pkg), classes: { class: classes } };
  });
  // suppressBooleanAttributes: `branch="true"` must keep its value (the DTD's attributes are CDATA).
  const builder = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true, suppressBooleanAttributes: false, attributeNamePrefix: '@_' });
  const body = builder.build({
    coverage: {
      ...rates(total),
      '@_lines-covered': total.linesCovered,
      '@_lines-valid': total.lines,
      '@_branches-covered': total.branchesCovered,
      '@_branches-valid': total.branches,
      '@_version': options.version,
      '@_timestamp': Math.round(options.timestamp),
      sources: { source: options.sourceDir },
      packages: { package: packages },
    },
  }) as string;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">\n${body}`;
}
