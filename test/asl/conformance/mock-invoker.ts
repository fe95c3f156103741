/**
 * A TaskInvoker implementing the corpus' Lambda behaviours (README "Lambda
 * mocks"): identity, constant, raise (Python runtime error payload),
 * constant-large-string, optional delaySeconds on the engine's clock.
 * A function not listed in the case does not exist (ResourceNotFoundException).
 */
import { AwsServiceError, type Clock, type IdSource } from '../../../harness/core/index.ts';
import type { LambdaInvocation, LambdaResult, ServiceCall, TaskContext, TaskInvoker } from '../../../harness/asl/index.ts';
import type { CaseLambda } from './cases.ts';

/** Python's json.dumps (default separators, ensure_ascii) for the error payload. */
function pyString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Python's json.dumps of a parsed value: what the recorded Python handlers returned (Content-Length depends on it). */
export function pyDumps(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return pyString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pyDumps).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyString(k)}: ${pyDumps(x)}`).join(', ')}}`;
}

function stackTrace(l: CaseLambda): string {
  const file = l.handlerFile.split('/').pop();
  if (file === 'raise_custom_exception.py') return '  File "/var/task/handler.py", line 9, in handler\n    raise CustomException()\n';
  return `  File "/var/task/handler.py", line 2, in handler\n    raise ${l.behaviour.errorType}("${l.behaviour.errorMessage}")\n`;
}

function functionNameOf(ref: string): string {
  const m = /function:([^:]+)/.exec(ref);
  return m ? m[1]! : ref.split(':')[0]!;
}

export class MockLambdaInvoker implements TaskInvoker {
  invocations = 0;

  constructor(
    private readonly lambdas: CaseLambda[] | null,
    private readonly clock: Clock,
    private readonly ids: IdSource,
  ) {}

  async invokeLambda(request: LambdaInvocation, ctx: TaskContext): Promise<LambdaResult> {
    this.invocations++;
    const name = functionNameOf(request.functionName);
    const fn = (this.lambdas ?? []).find((l) => l.functionName === name);
    if (!fn) {
      const arn = request.functionName.startsWith('arn:') ? request.functionName : `arn:aws:lambda:us-east-1:111111111111:function:${name}`;
      throw new AwsServiceError('ResourceNotFoundException', `Function not found: ${arn}:$LATEST`, 404);
    }
    const b = fn.behaviour;
    if (b.delaySeconds) await this.clock.sleep(b.delaySeconds * 1000, ctx.signal);
    const requestId = this.ids.uuid();
    const ok = (payload: string): LambdaResult => ({ statusCode: 200, payload, executedVersion: '$LATEST', requestId });
    switch (b.kind) {
      case 'identity':
        return ok(pyDumps(JSON.parse(request.payload)));
      case 'constant':
        return ok(pyDumps(b.value));
      case 'constant-large-string':
        return ok(JSON.stringify((b.character ?? 'a').repeat(b.length ?? 0)));
      case 'raise': {
        const payload = `{"errorMessage": ${pyString(b.errorMessage ?? '')}, "errorType": ${pyString(b.errorType ?? 'Exception')}, "requestId": ${pyString(requestId)}, "stackTrace": [${pyString(stackTrace(fn))}]}`;
        return { ...ok(payload), functionError: 'Unhandled' };
      }
    }
  }

  async callService(call: ServiceCall): Promise<unknown> {
    throw new AwsServiceError('UnsupportedOperation', `The conformance mock has no ${call.service}:${call.action}`);
  }
}
