/**
 * Finding a project's template: the usual names (SAM's `template.yaml`,
 * `.yml`, `.json`), a synthesized CDK app (`cdk.out/manifest.json`, whose
 * stack artifacts name their templates), and — for `rehearse init` — any file
 * that reads as a CloudFormation template.
 * https://docs.aws.amazon.com/cdk/v2/guide/deploy.html (the cloud assembly)
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { RehearseError } from '../core/index.ts';
import { upward } from './config.ts';

/** The names `sam` looks for, in its order. */
export const USUAL_TEMPLATE_NAMES = ['template.yaml', 'template.yml', 'template.json'] as const;
export const CDK_MANIFEST = join('cdk.out', 'manifest.json');

export interface CdkStack {
  /** The artifact id (the stack's construct path). */
  id: string;
  templateFile: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The stacks of a cloud assembly, nested assemblies (CDK stages) included. */
export function cdkStacks(manifestFile: string): CdkStack[] {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch (e) {
    throw new RehearseError('ERR_BAD_INPUT', `${manifestFile}: not a CDK cloud assembly manifest (${(e as Error).message})`, { location: { file: manifestFile }, cause: e });
  }
  const dir = dirname(manifestFile);
  const out: CdkStack[] = [];
  const artifacts = isObj(manifest) && isObj(manifest.artifacts) ? manifest.artifacts : {};
  for (const [id, a] of Object.entries(artifacts)) {
    if (!isObj(a) || !isObj(a.properties)) continue;
    if (a.type === 'aws:cloudformation:stack' && typeof a.properties.templateFile === 'string') {
      out.push({ id, templateFile: join(dir, a.properties.templateFile) });
    } else if (a.type === 'cdk:cloud-assembly' && typeof a.properties.directoryName === 'string') {
      const nested = join(dir, a.properties.directoryName, 'manifest.json');
      if (existsSync(nested)) out.push(...cdkStacks(nested));
    }
  }
  return out;
}

/**
 * A `--template` / config `template` value made into one template file: a
 * file as it is; a cloud assembly (`cdk.out/` or its manifest.json) by its one
 * stack; a directory by the usual names in it.
 */
export function templateFileOf(path: string, where: string): string {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new RehearseError('ERR_BAD_INPUT', `${where}: ${path} does not exist (resolved to ${abs})`);
  const isDir = statSync(abs).isDirectory();
  const manifest = isDir ? join(abs, 'manifest.json') : basename(abs) === 'manifest.json' ? abs : undefined;
  if (manifest && existsSync(manifest)) {
    const stacks = cdkStacks(manifest);
    if (stacks.length === 1) return stacks[0]!.templateFile;
    if (stacks.length === 0) throw new RehearseError('ERR_BAD_INPUT', `${where}: ${path} has no CloudFormation stack (run cdk synth)`);
    throw new RehearseError('ERR_BAD_INPUT', `${where}: ${path} has ${stacks.length} stacks; name one: ${stacks.map((s) => relative(process.cwd(), s.templateFile)).join(', ')}`);
  }
  if (isDir) {
    for (const name of USUAL_TEMPLATE_NAMES) if (existsSync(join(abs, name))) return join(abs, name);
    throw new RehearseError('ERR_BAD_INPUT', `${where}: ${path} is a directory without ${USUAL_TEMPLATE_NAMES.join(', ')} or a CDK manifest.json`);
  }
  return abs;
}

/** A template in `dir` by the usual names, or its cloud assembly. */
export function usualTemplateIn(dir: string): string | undefined {
  for (const name of USUAL_TEMPLATE_NAMES) if (existsSync(join(dir, name))) return join(dir, name);
  return existsSync(join(dir, CDK_MANIFEST)) ? join(dir, 'cdk.out') : undefined;
}

/** The nearest template by the usual names at or above `from` (to the repository root). */
export function findTemplateUpward(from: string): string | undefined {
  for (const dir of upward(from)) {
    const t = usualTemplateIn(dir);
    if (t) return t;
  }
  return undefined;
}

/** Folders no template lives in (build output, dependencies, VCS). */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.aws-sam', 'cdk.out', 'dist', 'build', 'out', 'coverage', '.venv', 'venv', '__pycache__', '.rehearse']);
const TEMPLATE_EXT = /\.(ya?ml|json|template)$/;

/** Whether text reads as a CloudFormation template (YAML or JSON): a format version, the SAM transform, or Resources of AWS types. */
export function looksLikeTemplate(text: string): boolean {
  if (/AWSTemplateFormatVersion/.test(text) || /AWS::Serverless-2016-10-31/.test(text)) return true;
  return /^\s*"?Resources"?\s*:/m.test(text) && /"?Type"?\s*:\s*["']?AWS::[A-Za-z0-9]+::/.test(text);
}

/**
 * Every CloudFormation template under `root` (a few levels deep, build output
 * and dependencies skipped), the usual names first; then each CDK stack.
 */
export function scanTemplates(root: string, maxDepth = 3): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (depth < maxDepth && !SKIPPED_DIRS.has(e.name) && !e.name.startsWith('.')) walk(p, depth + 1);
      } else if (e.isFile() && TEMPLATE_EXT.test(e.name) && !/^(package(-lock)?|tsconfig.*|samconfig|rehearse\.config|.*\.asl)\.[a-z]+$/.test(e.name)) {
        if (statSync(p).size > 2_000_000) continue;
        const head = readFileSync(p, 'utf8').slice(0, 200_000);
        if (looksLikeTemplate(head)) found.push(p);
      }
    }
  };
  walk(root, 0);
  const usual = (f: string) => ((USUAL_TEMPLATE_NAMES as readonly string[]).includes(basename(f)) ? 0 : 1);
  found.sort((a, b) => usual(a) - usual(b) || a.split('/').length - b.split('/').length || a.localeCompare(b));
  const manifest = join(root, CDK_MANIFEST);
  if (existsSync(manifest)) for (const s of cdkStacks(manifest)) found.push(s.templateFile);
  return found;
}
