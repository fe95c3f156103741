/**
 * docker/rehearse/Dockerfile follows the practices the issue lists: multi-stage,
 * `npm ci --omit=dev` in the runtime stage with caches cleaned in the same
 * layer, non-root USER, EXPOSE, HEALTHCHECK on /_rehearse/health, OCI labels,
 * exec-form ENTRYPOINT/CMD running `serve --host 0.0.0.0`, and a .dockerignore
 * that keeps the context small without excluding what the COPYs need.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMPOSE_FILE, DOCKERFILE, REPO_ROOT } from '../../harness/backends/images.ts';

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile → instructions (comments dropped, `\` continuations joined), grouped by stage. */
function parseDockerfile(text: string): { preamble: Instruction[]; stages: Array<{ name?: string; from: string; body: Instruction[] }> } {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw) && current === '') continue;
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  const preamble: Instruction[] = [];
  const stages: Array<{ name?: string; from: string; body: Instruction[] }> = [];
  for (const l of logical) {
    const m = /^(\w+)\s+([\s\S]*)$/.exec(l);
    if (!m) continue;
    const ins = { op: m[1]!.toUpperCase(), args: m[2]!.replace(/\s+/g, ' ').trim() };
    if (ins.op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)!;
      stages.push({ from: f[1]!, name: f[2], body: [] });
    } else if (stages.length === 0) preamble.push(ins);
    else stages.at(-1)!.body.push(ins);
  }
  return { preamble, stages };
}

const text = readFileSync(DOCKERFILE, 'utf8');
const { preamble, stages } = parseDockerfile(text);
const runtime = stages.at(-1)!;
const ops = (op: string) => runtime.body.filter((i) => i.op === op);

/** Exec form: a JSON array of strings. */
function execForm(args: string): string[] | undefined {
  try {
    const v = JSON.parse(args) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

describe('docker/rehearse/Dockerfile', () => {
  it('is multi-stage: a build stage and a runtime stage, both on the pinned NODE_IMAGE', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.map((s) => s.name)).toEqual(expect.arrayContaining(['build', 'runtime']));
    expect(preamble).toContainEqual({ op: 'ARG', args: expect.stringMatching(/^NODE_IMAGE=node:20[\w.-]+$/) });
    for (const s of stages) expect(s.from).toBe('${NODE_IMAGE}');
    // The runtime stage takes the compiled harness and the sources from the build stage (which typechecked them), not the context.
    const fromBuild = ops('COPY').filter((c) => c.args.startsWith('--from=build'));
    expect(fromBuild.map((c) => c.args.split(' ')[1])).toEqual(expect.arrayContaining(['/src/dist', '/src/lambdas', '/src/workflows']));
  });

  it('installs production dependencies only in the runtime stage, and cleans the npm cache in the same layer', () => {
    const runs = ops('RUN').map((r) => r.args);
    const install = runs.find((r) => /\bnpm ci\b/.test(r));
    expect(install).toBeDefined();
    expect(install).toMatch(/npm ci --omit=dev/);
    expect(install).toMatch(/&& npm cache clean --force/);
    expect(runs.filter((r) => /\bnpm (ci|install)\b/.test(r))).toHaveLength(1);
    // tsx runs the TypeScript at run time, so it must survive --omit=dev.
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies.tsx).toBeDefined();
  });

  it('runs as a non-root user', () => {
    const users = ops('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)!.args).not.toMatch(/^(root|0)(:|$)/);
    // USER comes before the process starts and after the last RUN that needs root.
    const idx = (op: string) => runtime.body.findIndex((i) => i === ops(op).at(-1));
    expect(idx('USER')).toBeGreaterThan(idx('RUN'));
    expect(idx('USER')).toBeLessThan(idx('ENTRYPOINT'));
  });

  it('exposes 4566 and checks /_rehearse/health', () => {
    expect(ops('EXPOSE').map((e) => e.args)).toContain('4566');
    const hc = ops('HEALTHCHECK')[0]!.args;
    expect(hc).toMatch(/--interval=\d+s/);
    const cmd = execForm(hc.replace(/^.*?CMD\s+/, ''));
    expect(cmd?.join(' ')).toContain('http://127.0.0.1:4566/_rehearse/health');
    // Same probe as the compose service's healthcheck, so they cannot drift.
    const compose = parse(readFileSync(COMPOSE_FILE, 'utf8')) as { services: { rehearse: { healthcheck: { test: string[] } } } };
    expect(compose.services.rehearse.healthcheck.test.slice(1)).toEqual(cmd);
  });

  it('declares every ${VAR} a stage uses inside that stage (pre-FROM ARGs are not visible there)', () => {
    for (const stage of stages) {
      const declared = new Set<string>();
      for (const ins of stage.body) {
        if (ins.op === 'ARG' || ins.op === 'ENV') for (const m of ins.args.matchAll(/(?:^|\s)(\w+)(?==|\s|$)/g)) declared.add(m[1]!);
        if (ins.op === 'RUN' || ins.op === 'CMD' || ins.op === 'ENTRYPOINT' || ins.op === 'HEALTHCHECK') continue; // shell or exec form: not Dockerfile substitution
        for (const m of ins.args.matchAll(/\$\{?(\w+)/g)) expect(declared.has(m[1]!), `${stage.name}: ${ins.op} uses \${${m[1]}} without ARG/ENV in the stage`).toBe(true);
      }
    }
  });

  it('carries OCI labels', () => {
    const labels = ops('LABEL').map((l) => l.args).join(' ');
    for (const key of ['title', 'description', 'version', 'licenses']) expect(labels).toContain(`org.opencontainers.image.${key}=`);
  });

  it('uses exec-form ENTRYPOINT and CMD that run `rehearse serve --host 0.0.0.0`', () => {
    const entry = execForm(ops('ENTRYPOINT').at(-1)!.args);
    const cmd = execForm(ops('CMD').at(-1)!.args);
    expect(entry).toEqual(['node', 'bin/rehearse.mjs']);
    expect(cmd?.slice(0, 3)).toEqual(['serve', '--host', '0.0.0.0']);
    expect(cmd).toContain('4566');
    expect(existsSync(join(REPO_ROOT, 'bin/rehearse.mjs'))).toBe(true);
  });

  it('has a .dockerignore that keeps bulk out but lets every COPY source in', () => {
    const ignore = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', '.git', 'test', '**/.env']) expect(ignore).toContain(p);
    const sources = stages
      .flatMap((s) => s.body)
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(' ').slice(0, -1));
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'harness', 'lambdas', 'workflows']));
    for (const src of sources) {
      expect(existsSync(join(REPO_ROOT, src)), `${src} exists`).toBe(true);
      expect(ignore, `${src} is not ignored`).not.toContain(src);
    }
  });
});
