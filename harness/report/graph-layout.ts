/**
 * Lays out an ASL state machine as a graph for the HTML report: states in
 * layers by their distance from StartAt (top to bottom), Parallel branches and
 * Map item processors drawn as boxes containing their own layouts. Pure; no
 * DOM, returns coordinates.
 */

export interface GraphNode {
  name: string;
  type: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** Nested state name scope (branch/iterator) — 0 for the top level. */
  depth: number;
  isContainer: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: 'next' | 'choice' | 'default' | 'catch';
  /** The field it is written in: `Next`, `Default`, `Choices[0]`, `Catch[1]` (a coverage transition's id ends with it). */
  field: string;
  /** Polyline points. */
  points: Array<[number, number]>;
}

export interface GraphLayout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

interface AslState {
  Type?: string;
  Next?: string;
  Default?: string;
  Choices?: Array<{ Next?: string }>;
  Catch?: Array<{ Next?: string }>;
  Branches?: AslMachine[];
  ItemProcessor?: AslMachine;
  Iterator?: AslMachine;
}
interface AslMachine {
  StartAt?: string;
  States?: Record<string, AslState>;
}

const NODE_W = 150;
const NODE_H = 34;
const GAP_X = 24;
const GAP_Y = 36;
const PAD = 14;
const HEADER = 26;

interface Sized {
  name: string;
  state: AslState;
  w: number;
  h: number;
  children: SizedMachine[];
}
interface SizedMachine {
  rows: Sized[][];
  edges: Array<{ from: string; to: string; kind: GraphEdge['kind']; field: string }>;
  w: number;
  h: number;
}

function successors(s: AslState): Array<{ to: string; kind: GraphEdge['kind']; field: string }> {
  const out: Array<{ to: string; kind: GraphEdge['kind']; field: string }> = [];
  (s.Choices ?? []).forEach((c, i) => c.Next && out.push({ to: c.Next, kind: 'choice', field: `Choices[${i}]` }));
  if (s.Default) out.push({ to: s.Default, kind: 'default', field: 'Default' });
  if (s.Next) out.push({ to: s.Next, kind: 'next', field: 'Next' });
  (s.Catch ?? []).forEach((c, i) => c.Next && out.push({ to: c.Next, kind: 'catch', field: `Catch[${i}]` }));
  return out;
}

function sizeMachine(m: AslMachine, depth: number): SizedMachine {
  const states = m.States ?? {};
  const names = Object.keys(states);
  const rank = new Map<string, number>();
  const order: string[] = [];
  const start = m.StartAt && states[m.StartAt] ? m.StartAt : names[0];
  if (start) {
    // Longest-path-ish layering over a BFS order: a state sits below every state that reaches it first.
    const queue: string[] = [start];
    rank.set(start, 0);
    while (queue.length > 0) {
      const n = queue.shift()!;
      order.push(n);
      for (const { to } of successors(states[n]!)) {
        if (!states[to] || rank.has(to)) continue;
        rank.set(to, rank.get(n)! + 1);
        queue.push(to);
      }
    }
  }
  let maxRank = Math.max(-1, ...rank.values());
  for (const n of names) {
    if (!rank.has(n)) {
      rank.set(n, ++maxRank);
      order.push(n);
    }
  }
  const rows: Sized[][] = [];
  for (const n of order) {
    const s = states[n]!;
    const inner = s.Branches ?? (s.ItemProcessor ? [s.ItemProcessor] : s.Iterator ? [s.Iterator] : []);
    const children = inner.map((b) => sizeMachine(b, depth + 1));
    const w = children.length ? Math.max(NODE_W, children.reduce((a, c) => a + c.w, 0) + GAP_X * (children.length - 1) + 2 * PAD) : NODE_W;
    const h = children.length ? HEADER + Math.max(...children.map((c) => c.h)) + PAD : NODE_H;
    const r = rank.get(n)!;
    (rows[r] ??= []).push({ name: n, state: s, w, h, children });
  }
  const dense = rows.filter((r) => r && r.length > 0);
  const w = Math.max(NODE_W, ...dense.map((r) => r.reduce((a, s) => a + s.w, 0) + GAP_X * (r.length - 1)));
  const h = dense.reduce((a, r) => a + Math.max(...r.map((s) => s.h)), 0) + GAP_Y * Math.max(0, dense.length - 1);
  const edges = order.flatMap((n) => successors(states[n]!).filter((e) => states[e.to]).map((e) => ({ from: n, ...e })));
  return { rows: dense, edges, w, h };
}

function place(m: SizedMachine, ox: number, oy: number, depth: number, out: GraphLayout): void {
  const pos = new Map<string, GraphNode>();
  let y = oy;
  for (const row of m.rows) {
    const rowW = row.reduce((a, s) => a + s.w, 0) + GAP_X * (row.length - 1);
    const rowH = Math.max(...row.map((s) => s.h));
    let x = ox + (m.w - rowW) / 2;
    for (const s of row) {
      const node: GraphNode = {
        name: s.name,
        type: s.state.Type ?? '?',
        x,
        y,
        w: s.w,
        h: s.h,
        depth,
        isContainer: s.children.length > 0,
      };
      out.nodes.push(node);
      pos.set(s.name, node);
      if (s.children.length) {
        let cx = x + PAD + (s.w - 2 * PAD - (s.children.reduce((a, c) => a + c.w, 0) + GAP_X * (s.children.length - 1))) / 2;
        for (const c of s.children) {
          place(c, cx, y + HEADER, depth + 1, out);
          cx += c.w + GAP_X;
        }
      }
      x += s.w + GAP_X;
    }
    y += rowH + GAP_Y;
  }
  for (const e of m.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const ax = a.x + a.w / 2;
    const bx = b.x + b.w / 2;
    let points: Array<[number, number]>;
    if (b.y > a.y) points = [[ax, a.y + a.h], [ax, a.y + a.h + GAP_Y / 2], [bx, a.y + a.h + GAP_Y / 2], [bx, b.y]];
    else {
      // A loop back up: leave on the right side, come back in on the right.
      const side = Math.max(a.x + a.w, b.x + b.w) + 10;
      points = [[a.x + a.w, a.y + a.h / 2], [side, a.y + a.h / 2], [side, b.y + b.h / 2], [b.x + b.w, b.y + b.h / 2]];
    }
    out.edges.push({ from: e.from, to: e.to, kind: e.kind, field: e.field, points });
  }
}

/** Lays out a definition (JSON text or object). Unparseable input gives an empty layout. */
export function layoutDefinition(definition: string | AslMachine | undefined): GraphLayout {
  let m: AslMachine | undefined;
  if (typeof definition === 'string') {
    try {
      m = JSON.parse(definition) as AslMachine;
    } catch {
      m = undefined;
    }
  } else m = definition;
  const out: GraphLayout = { nodes: [], edges: [], width: 0, height: 0 };
  if (!m?.States) return out;
  const sized = sizeMachine(m, 0);
  place(sized, 10, 10, 0, out);
  out.width = sized.w + 40;
  out.height = sized.h + 20;
  return out;
}
