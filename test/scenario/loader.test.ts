import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderSchema, SCHEMA_FILE } from '../../harness/scenario/export-schema.ts';
import { parseScenario, ScenarioLoadError, suggestKey } from '../../harness/scenario/loader.ts';

function problems(text: string) {
  try {
    parseScenario(text, 'bad.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioLoadError);
    return (e as ScenarioLoadError).problems;
  }
  throw new Error('expected a load error');
}

describe('scenario loader', () => {
  it('loads a valid scenario with defaults', () => {
    const spec = parseScenario(
      `name: ok\nworkflow: image-processor\nwhen:\n  - upload: { bucket: images, key: raw/a.jpg, image: { format: png } }\nthen:\n  execution: { status: SUCCEEDED }\n`,
      'ok.yaml',
    );
    expect(spec.when[0]!.upload!.image).toMatchObject({ format: 'png', width: 640, height: 480, pattern: 'photo' });
    expect(spec.then.execution?.status).toBe('SUCCEEDED');
  });

  it('names file, line, column and key of a typo and suggests the closest key', () => {
    const p = problems(`name: x\nwhen:\n  - start: {}\nthen:\n  states:\n    ResizeImage:\n      atempts: 3\n`);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ file: 'bad.yaml', line: 7, column: 7, path: 'then.states.ResizeImage.atempts', suggestion: 'attempts' });
  });

  it('suggests a step action for a mistyped step and does not also complain the step has no action', () => {
    const p = problems(`name: x\nwhen:\n  - uplaod: { bucket: b, key: k, text: hi }\n`);
    expect(p.map((x) => x.message)).toEqual(["unknown key 'uplaod'"]);
    expect(p[0]).toMatchObject({ line: 3, column: 5, path: 'when[0].uplaod', suggestion: 'upload' });
  });

  it('reports a bad enum value at the value position', () => {
    const p = problems(`name: x\nwhen:\n  - await: { status: SUCEEDED }\n`);
    expect(p[0]!.path).toBe('when[0].await.status');
    expect(p[0]!.line).toBe(3);
    expect(p[0]!.message).toMatch(/SUCCEEDED/);
  });

  it('reports a missing required key and YAML syntax errors with positions', () => {
    expect(problems(`when: []\n`)[0]).toMatchObject({ path: 'name', message: expect.stringMatching(/missing required key/) });
    const syntax = problems(`name: [\n`);
    expect(syntax[0]!.line).toBeGreaterThanOrEqual(1);
  });

  it('rejects a step with two actions and a fault without a target', () => {
    const p = problems(`name: x\ngiven:\n  faults:\n    - { invocations: [1], throw: { errorType: E } }\nwhen:\n  - { start: {}, await: {} }\n`);
    expect(p.map((x) => x.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/either a function, a service \+ operation/), expect.stringMatching(/exactly one action, found start and await/)]),
    );
    const fault = p.find((x) => /either a function/.test(x.message))!;
    expect(fault.line).toBe(4);
  });

  it('takes a function fault `input` as any JSON value; rejects it on operation faults and where JSON cannot hold it, naming fault and field', () => {
    const spec = parseScenario(`name: x\ngiven:\n  faults:\n    - { function: f, input: { id: 3, tags: [a] }, invocations: [2], throw: { errorType: E } }\n    - { function: f, input: null, return: 1 }\n`, 'ok.yaml');
    expect(spec.given?.faults?.map((f) => f.input)).toEqual([{ id: 3, tags: ['a'] }, null]);
    const p = problems(
      `name: x\ngiven:\n  faults:\n    - { function: f, input: { size: .nan }, throw: { errorType: E } }\n    - { service: s3, operation: GetObject, input: { Key: k }, error: { code: X } }\n`,
    );
    expect(p.map((x) => [x.path, x.message])).toEqual([
      ['given.faults[0].input', 'function fault on f: input.size is NaN, which JSON cannot hold'],
      ['given.faults[1].input', 'input belongs to function faults: an operation fault cannot match a payload'],
    ]);
    expect(p[0]!.line).toBe(4);
  });

  it('formats problems as file:line:column key: message (did you mean …)', () => {
    try {
      parseScenario(`name: x\nthen:\n  exectuion: {}\n`, 'f.yaml');
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe("f.yaml:3:3 then.exectuion: unknown key 'exectuion' (did you mean 'execution'?)");
    }
  });

  it('suggests only plausible keys', () => {
    expect(suggestKey('stauts', ['status', 'output'])).toBe('status');
    expect(suggestKey('zzzzzzzz', ['status', 'output'])).toBeUndefined();
  });

  it('the committed JSON Schema is up to date (npx tsx harness/scenario/export-schema.ts)', async () => {
    expect(await readFile(SCHEMA_FILE, 'utf8')).toBe(renderSchema());
  });
});
