/**
 * The `invoke` step's `expectOutput`: the function's response matched
 * partially (matchers allowed), a mismatch failing the step with the
 * response and the path that differs, and refused where it cannot apply
 * (an asynchronous invoke, an invoke expected to fail). Real template,
 * real Lambda process, through runSuite.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../harness/scenario/loader.ts';
import { runSuite } from '../../harness/scenario/suite.ts';
import { projectForSuite } from '../support/project.ts';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Quote:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs20.x
`;
const HANDLER = `exports.handler = async (event) => ({ total: event.qty * 12.5, currency: 'EUR', lines: [{ sku: event.sku, qty: event.qty }] });\n`;

const scenario = (name: string, expectOutput: string) => `name: ${name}
deploy: true
when:
  - invoke: { function: Quote, payload: { sku: a-1, qty: 4 }, expectOutput: ${expectOutput} }
`;

describe('invoke expectOutput', { timeout: 120_000 }, () => {
  const dir = projectForSuite('rehearse-invoke-step-', {
    'template.yaml': TEMPLATE,
    'src/app.js': HANDLER,
    'scenarios/a-matches.yaml': scenario('the quote matches', '{ total: { $gte: 50 }, lines: [{ sku: a-1 }] }'),
    'scenarios/b-differs.yaml': scenario('the quote differs', '{ currency: USD }'),
  });

  it('passes on a partial match and fails naming the response and the path that differs', async () => {
    const report = await runSuite({ paths: [], cwd: dir(), seed: 'invoke', workers: 1 });
    const byName = Object.fromEntries(report.scenarios.map((s) => [s.name, s]));
    expect(byName['the quote matches']?.status, JSON.stringify(byName['the quote matches']?.steps)).toBe('passed');
    expect(byName['the quote matches']?.steps[0]?.message).toBe('Invoke Quote answered {"total":50,"currency":"EUR","lines":[{"sku":"a-1","qty":4}]}');
    expect(byName['the quote differs']?.status).toBe('failed');
    expect(byName['the quote differs']?.steps[0]).toMatchObject({
      status: 'failed',
      message: 'Invoke Quote answered {"total":50,"currency":"EUR","lines":[{"sku":"a-1","qty":4}]}: $.currency: expected "USD", got "EUR"',
    });
  });

  it('is refused with an asynchronous invoke or with expectError', () => {
    for (const extra of ['invocationType: Event', 'expectError: ResourceNotFoundException']) {
      expect(() => parseScenario(`name: x\nwhen:\n  - invoke: { function: Quote, ${extra}, expectOutput: { a: 1 } }\n`, '/virtual/x.yaml')).toThrow(
        /when\[0\]\.invoke\.expectOutput: expectOutput needs a synchronous invoke \(no invocationType: Event\) that is not expected to fail \(no expectError\)/,
      );
    }
  });
});
