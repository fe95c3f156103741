/**
 * Docs stay true: every fenced block in README.md and docs/*.md marked as an
 * example (```yaml example scenario, ```sh example, … — the convention is in
 * docs/development.md) is loaded or run as what it claims to be:
 *
 * - `yaml example scenario` — the scenario loader (schema, keys, types);
 * - `yaml example config`   — the rehearse.config.yaml loader;
 * - `yaml example ci`       — YAML; each `npx rehearse …` command in it parses
 *   (its flags are known, `--help` appended) and each report it names under
 *   out/ is a file the reporters write;
 * - `sh example`            — each command runs in this repository and exits 0;
 * - `sh example project`    — each command runs in a fresh project outside the
 *   repository (test/docs/fixtures/sam-app) with the packed package installed;
 *   `npm install -D rehearse-aws` is what that project's install did.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { ProjectConfigSchema } from '../../harness/project/config.ts';
import { REPORT_FILES } from '../../harness/report/index.ts';
import { parseScenario, parseYamlWithSchema } from '../../harness/scenario/loader.ts';
import { REPO_ROOT } from '../../scripts/build.ts';
import { captureIo } from '../support/cli-io.ts';
import { createPackedProject, PACKAGE_NAME } from '../e2e/support/packed-install.ts';

interface Example {
  /** `README.md:42` */
  where: string;
  lang: string;
  kind: string;
  text: string;
}

const KINDS: Record<string, string[]> = { yaml: ['scenario', 'config', 'ci'], sh: ['', 'project'] };

export function examplesIn(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const out: Example[] = [];
  for (const m of text.matchAll(/^```(\w+)[ \t]+example\b([^\n]*)\n([\s\S]*?)^```/gm)) {
    const line = text.slice(0, m.index).split('\n').length;
    out.push({ where: `${relative(REPO_ROOT, file)}:${line}`, lang: m[1]!, kind: m[2]!.trim(), text: m[3]! });
  }
  return out;
}

const files = [join(REPO_ROOT, 'README.md'), ...readdirSync(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(REPO_ROOT, 'docs', f))];
const examples = files.flatMap(examplesIn);
const of = (lang: string, kind: string) => examples.filter((e) => e.lang === lang && e.kind === kind);

/** A block's commands: one per line, comments and blank lines dropped, `\` continuations joined. */
function commands(text: string): string[] {
  return text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
}

/** A user's shell: without the npm_* variables `npm test` / `npx vitest` set (npx inside would read them as its own). */
function shellEnv(): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !e[0].startsWith('npm_') && !e[0].startsWith('VITEST') && e[0] !== 'NODE_OPTIONS'));
  return { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

describe('docs examples', () => {
  it('are marked with a known kind, and there are some of each', () => {
    for (const e of examples) expect(KINDS[e.lang]?.includes(e.kind), `${e.where}: \`\`\`${e.lang} example ${e.kind}`).toBe(true);
    for (const [lang, kinds] of Object.entries(KINDS)) for (const k of kinds) expect(of(lang, k).length, `${lang} example ${k}`).toBeGreaterThan(0);
  });

  it('scenarios load with the scenario loader', () => {
    for (const e of of('yaml', 'scenario')) expect(() => parseScenario(e.text, e.where), e.where).not.toThrow();
  });

  it('configs load with the config loader', () => {
    for (const e of of('yaml', 'config')) expect(() => parseYamlWithSchema(e.text, e.where, ProjectConfigSchema, 'a mapping'), e.where).not.toThrow();
  });

  it('CI snippets: the rehearse commands parse and the reports they keep are the ones written', async () => {
    const reportFiles = Object.values(REPORT_FILES);
    for (const e of of('yaml', 'ci')) {
      expect(() => parse(e.text), e.where).not.toThrow();
      const rehearse = [...e.text.matchAll(/npx rehearse ([^\n]+)/g)].map((m) => m[1]!.trim().split(/\s+/));
      expect(rehearse.length, e.where).toBeGreaterThan(0);
      for (const argv of rehearse) {
        const { io, out } = captureIo(REPO_ROOT);
        expect(await main([...argv, '--help'], io), `${e.where}: rehearse ${argv.join(' ')}: ${out.stderr}`).toBe(0);
      }
      for (const m of e.text.matchAll(/out\/([\w.-]+\.(?:xml|json|html))/g)) expect(reportFiles, `${e.where}: out/${m[1]}`).toContain(m[1]);
    }
  });

  it('shell commands run in this repository', { timeout: 120_000 }, async () => {
    for (const e of of('sh', '')) {
      for (const cmd of commands(e.text)) {
        const r = await execa('bash', ['-c', cmd], { cwd: REPO_ROOT, reject: false, all: true, extendEnv: false, env: shellEnv() });
        expect(r.exitCode, `${e.where}: ${cmd}\n${r.all}`).toBe(0);
      }
    }
  });

  it('shell commands run in a fresh project with the package installed', { timeout: 600_000 }, async () => {
    for (const e of of('sh', 'project')) {
      await using project = await createPackedProject({ copy: [{ from: join(import.meta.dirname, 'fixtures', 'sam-app') }] });
      for (const cmd of commands(e.text)) {
        if (/^npm install -D rehearse-aws$/.test(cmd)) {
          expect(JSON.parse(project.read('package.json')).devDependencies[PACKAGE_NAME], e.where).toBeDefined();
          continue;
        }
        const r = await project.exec('bash', ['-c', cmd]);
        expect(r.exitCode, `${e.where}: ${cmd}\n${r.all}`).toBe(0);
      }
    }
  });
});
