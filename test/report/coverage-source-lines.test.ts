/** Where a definition's states and rules are written, by line: in a definition file, inline in a template (short-form tags too), in a DefinitionString. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceLines } from '../../harness/report/coverage/source-lines.ts';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-source-lines-'));
function file(name: string, text: string): { path: string; lines: string[] } {
  const path = join(dir, name);
  writeFileSync(path, text);
  return { path, lines: text.split('\n') };
}

describe('source lines of a definition', () => {
  it('in a template with short-form tags: the inline Definition, and a DefinitionString found by state name from where it starts', () => {
    const t = file(
      'template.yaml',
      `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: app.handler, Role: !GetAtt Role.Arn }
  Inline:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Ask
        States:
          Ask:
            Type: Choice
            Choices:
              - Variable: $.x
                IsPresent: true
                Next: Call
            Default: Call
          Call:
            Type: Task
            Resource: !Sub arn:aws:states:::lambda:invoke
            Catch: [{ ErrorEquals: [States.ALL], Next: Ask }]
            End: true
  Stringy:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub |
        {
          "StartAt": "Ask",
          "States": {
            "Ask": { "Type": "Pass", "Next": "Call" },
            "Call": { "Type": "Task", "Resource": "\${Fn.Arn}", "End": true }
          }
        }
`,
    );
    const inline = sourceLines(t.path, ['Resources', 'Inline', 'Properties', 'Definition'])!;
    const at = (n: number | undefined) => t.lines[n! - 1]!.trim();
    expect(at(inline.lineOf(['States', 'Ask']))).toBe('Ask:');
    expect(at(inline.lineOf(['States', 'Ask', 'Choices', 0]))).toBe('- Variable: $.x');
    expect(at(inline.lineOf(['States', 'Ask', 'Default']))).toBe('Default: Call');
    expect(at(inline.lineOf(['States', 'Call']))).toBe('Call:');
    expect(at(inline.lineOf(['States', 'Call', 'Catch', 0]))).toBe('Catch: [{ ErrorEquals: [States.ALL], Next: Ask }]');
    const stringy = sourceLines(t.path, ['Resources', 'Stringy', 'Properties', 'DefinitionString'])!;
    // The same names as the inline machine's, but searched from where the string starts.
    expect(at(stringy.lineOf(['States', 'Ask']))).toBe('"Ask": { "Type": "Pass", "Next": "Call" },');
    expect(at(stringy.lineOf(['States', 'Call']))).toMatch(/^"Call": \{ "Type": "Task"/);
    // A field inside a string cannot be placed more finely: its state's line.
    expect(at(stringy.lineOf(['States', 'Ask', 'Next']))).toBe('"Ask": { "Type": "Pass", "Next": "Call" },');
  });

  it('in a definition file: a part that is not there gives its nearest enclosing item; an unreadable file gives none', () => {
    const d = file('m.asl.json', '{\n  "StartAt": "A",\n  "States": {\n    "A": {\n      "Type": "Pass",\n      "End": true\n    }\n  }\n}\n');
    const lines = sourceLines(d.path, [])!;
    expect(lines.lineOf(['States', 'A'])).toBe(4);
    expect(lines.lineOf(['States', 'A', 'Next'])).toBe(4);
    expect(sourceLines(join(dir, 'missing.json'), [])).toBeUndefined();
  });
});
