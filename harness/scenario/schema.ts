/**
 * The scenario file schema — defined once, here. The loader validates with it,
 * the TypeScript types are inferred from it, and `npm run rehearse -- …`
 * / `tsx harness/scenario/export-schema.ts` writes it as JSON Schema to
 * scenarios/scenario.schema.json so editors complete and check scenario files.
 *
 * Shape rule: objects are strict (an unknown key is an error with a "did you
 * mean" suggestion). Steps and faults are one object with optional keys plus a
 * refinement ("exactly one action") instead of a union, so a typo in a step is
 * reported as an unknown key rather than as "matches none of 12 alternatives".
 */
import { z } from 'zod';
import { jsonValueProblem } from '../emulator/faults.ts';

const IDENT = z.string().min(1);

/** A JSON value (objects, arrays, scalars). */
const Json: z.ZodType<unknown> = z.unknown().meta({ description: 'Any JSON value' });

// ---------- given ----------

export const ImageSpec = z
  .strictObject({
    format: z.enum(['jpeg', 'png', 'webp', 'avif', 'gif', 'tiff', 'svg']).default('jpeg').describe('Encoded format'),
    width: z.number().int().positive().max(20_000).default(640),
    height: z.number().int().positive().max(20_000).default(480),
    pattern: z.enum(['gradient', 'noise', 'photo']).default('photo').describe('photo = gradient plus seeded noise'),
    quality: z.number().int().min(1).max(100).optional(),
    corrupt: z
      .enum(['truncated', 'garbage'])
      .optional()
      .describe('truncated: cut the encoded bytes to 40 %; garbage: random bytes with the right extension'),
    bomb: z
      .strictObject({ width: z.number().int().positive(), height: z.number().int().positive() })
      .optional()
      .describe('A tiny PNG whose header declares these (huge) dimensions — a decompression bomb'),
  })
  .describe('An image generated at run time (deterministic for the seed)');

export const ObjectSource = {
  file: z.string().optional().describe('Path relative to the scenario file'),
  image: ImageSpec.optional(),
  text: z.string().optional().describe('The object body as UTF-8 text'),
  json: Json.optional().describe('The object body as JSON'),
  contentType: z.string().optional(),
};

function exactlyOneSource(v: { file?: unknown; image?: unknown; text?: unknown; json?: unknown }): boolean {
  return [v.file, v.image, v.text, v.json].filter((x) => x !== undefined).length === 1;
}
const ONE_SOURCE = { message: 'give exactly one of file, image, text, json' };

export const GivenObject = z
  .strictObject({ bucket: IDENT, key: IDENT, ...ObjectSource })
  .refine(exactlyOneSource, ONE_SOURCE)
  .describe('An S3 object put before the scenario starts (bucket notifications fire as for any upload)');

const CallSelectorShape = {
  invocations: z
    .union([z.array(z.union([z.number().int().min(1), z.string()])), z.string(), z.number().int().min(1)])
    .optional()
    .describe('Call numbers or ranges, counted from 1: [1, 2], "3-5"; omitted = every call'),
  every: z.number().int().min(1).optional().describe('Every n-th call'),
};

export const Fault = z
  .strictObject({
    function: z.string().optional().describe('Lambda function name (a function fault)'),
    service: z.string().optional().describe('Service signing name (s3, secretsmanager, sns, states, lambda) — an operation fault'),
    table: z.string().optional().describe('DynamoDB table name — an operation fault on the requests that touch it (with operation: only that one, e.g. PutItem)'),
    queue: z.string().optional().describe('SQS queue name — an operation fault on the requests to that queue (with operation: only that one, e.g. SendMessage)'),
    rule: z.string().optional().describe(
      'EventBridge rule name — a target fault: delivery attempts to its targets fail with error (retried under the target\'s RetryPolicy, then dead-lettered) or are delayed by latencyMs; counted per rule (and target) from 1, retries included',
    ),
    target: z.string().optional().describe('Rule faults: only the target with this Id (default: every target of the rule)'),
    state: z.string().min(1).max(80).optional().describe(
      'Task state name — a state fault: the Task is answered with return (its integration\'s result) or fails with throw (errorType as the error, message as the cause) instead of calling its integration; how a scenario gets past a Task the endpoint cannot run (Glue, Batch, ECS, …). Calls counted per state from 1, retries and Map iterations included',
    ),
    workflow: z.string().optional().describe('State faults: only that state machine\'s state (default: a state of that name in any state machine)'),
    operation: z.string().optional().describe('AWS operation name, e.g. GetObject'),
    ...CallSelectorShape,
    input: Json.optional().describe(
      'Function faults: only calls whose event payload deep-equals this JSON value (key order ignored); invocations/every then count only those calls ("the 2nd call with this payload" = its first retry). How a Map item or Parallel branch is singled out whatever the call order',
    ),
    throw: z
      .strictObject({ errorType: IDENT, message: z.string().optional() })
      .optional()
      .describe('Lambda.* names fail the Invoke call with that service error; anything else is a function error'),
    timeout: z.literal(true).optional().describe('The invocation runs into its timeout (Sandbox.Timedout)'),
    crash: z.literal(true).optional().describe('The execution environment dies (Runtime.ExitError)'),
    latencyMs: z.number().min(0).optional().describe('Added latency (virtual time on the embedded endpoint)'),
    return: Json.optional().describe(
      "The call succeeds with this JSON value as the function's response payload; the handler does not run (a recorded result, or a stub). Like a MockConfigFile's Return, but the function's payload, not the lambda:invoke result",
    ),
    error: z
      .strictObject({ code: IDENT, message: z.string().optional(), statusCode: z.number().int().optional() })
      .optional()
      .describe('Operation faults: the AWS error returned'),
  })
  .superRefine((f, ctx) => {
    if ([f.function, f.service, f.table, f.queue, f.rule, f.state].filter((x) => x !== undefined).length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'a fault names either a function, a service + operation, a DynamoDB table, an SQS queue, an EventBridge rule or a Task state' });
      return;
    }
    if (f.workflow !== undefined && f.state === undefined) ctx.addIssue({ code: 'custom', message: 'workflow belongs to state faults (state: …)', path: ['workflow'] });
    if (f.target !== undefined && f.rule === undefined) ctx.addIssue({ code: 'custom', message: 'target belongs to rule faults (rule: …)', path: ['target'] });
    if (f.rule !== undefined) {
      for (const k of ['throw', 'timeout', 'crash', 'return', 'input', 'operation'] as const) {
        if (f[k] !== undefined) ctx.addIssue({ code: 'custom', message: `rule fault on ${f.rule}: ${k} does not apply (a rule fault has error and/or latencyMs)`, path: [k] });
      }
      if (f.error === undefined && f.latencyMs === undefined) ctx.addIssue({ code: 'custom', message: `rule fault on ${f.rule}: give error (the delivery fails) and/or latencyMs (it is delayed)` });
    } else if (f.state !== undefined) {
      if ((f.return !== undefined) === (f.throw !== undefined)) ctx.addIssue({ code: 'custom', message: `state fault on ${f.state}: give exactly one of return, throw` });
      for (const k of ['timeout', 'crash', 'latencyMs', 'input', 'operation', 'error'] as const) {
        if (f[k] !== undefined) ctx.addIssue({ code: 'custom', message: `state fault on ${f.state}: ${k} belongs to function or operation faults (a state fault has return or throw)`, path: [k] });
      }
      const problem = f.return === undefined ? undefined : jsonValueProblem(f.return, 'return');
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `state fault on ${f.state}: ${problem}`, path: ['return'] });
    } else if (f.function !== undefined) {
      const actions = [f.throw, f.timeout, f.crash, f.latencyMs, f.return].filter((x) => x !== undefined).length;
      if (actions !== 1) ctx.addIssue({ code: 'custom', message: 'a function fault has exactly one of throw, timeout, crash, latencyMs, return' });
      if (f.operation !== undefined || f.error !== undefined)
        ctx.addIssue({ code: 'custom', message: 'operation and error belong to operation faults (service + operation)' });
      // YAML can say `.nan` or `.inf`, which no JSON payload can equal (and which JSON would turn into null).
      const problem = f.input === undefined ? undefined : jsonValueProblem(f.input, 'input');
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `function fault on ${f.function}: ${problem}`, path: ['input'] });
    } else {
      if (f.input !== undefined) ctx.addIssue({ code: 'custom', message: 'input belongs to function faults: an operation fault cannot match a payload', path: ['input'] });
      if (f.operation === undefined && f.table === undefined && f.queue === undefined) ctx.addIssue({ code: 'custom', message: 'an operation fault needs operation', path: ['operation'] });
      if (f.error === undefined && f.latencyMs === undefined)
        ctx.addIssue({ code: 'custom', message: 'an operation fault needs error or latencyMs' });
      if (f.throw !== undefined || f.timeout !== undefined || f.crash !== undefined || f.return !== undefined)
        ctx.addIssue({ code: 'custom', message: 'throw, timeout, crash and return belong to function faults' });
    }
  });

const QueueAttributeValue = z.union([z.string(), z.number(), z.boolean()]);

export const GivenQueue = z.union([
  IDENT.describe('A queue with default attributes (a name ending in .fifo makes a FIFO queue)'),
  z.strictObject({
    name: IDENT,
    attributes: z.record(z.string(), QueueAttributeValue).optional().describe('Queue attributes, e.g. VisibilityTimeout: 30, DelaySeconds: 5'),
    deadLetterQueue: z
      .strictObject({ name: IDENT, maxReceiveCount: z.number().int().min(1).max(1000) })
      .optional()
      .describe('Created too; messages received maxReceiveCount times move there (RedrivePolicy)'),
  }),
]);

export const GivenMockConfig = z
  .strictObject({
    file: z.string().min(1).describe("A Step Functions Local MockConfigFile (JSON), path relative to the scenario file"),
    testCase: z.string().min(1).describe("The file's test case for the scenario's workflow"),
  })
  .describe(
    "Runs one test case of a Step Functions Local MockConfigFile: executions that `start` steps begin on the scenario's workflow start on `<arn>#<testCase>`, so its mocked states answer as the file says (docs/migrating-from-stepfunctions-local.md)",
  );

export const Given = z.strictObject({
  secrets: z
    .record(z.string(), z.union([z.string(), z.record(z.string(), Json), z.null()]))
    .optional()
    .describe('Secret name → value (objects are stored as JSON); null deletes the secret'),
  objects: z.array(GivenObject).optional(),
  topics: z.array(IDENT).optional().describe('SNS topics to create (the template creates its own)'),
  queues: z.array(GivenQueue).optional().describe('SQS queues to create (the template creates its own)'),
  items: z
    .record(IDENT, z.array(z.record(z.string(), Json)))
    .optional()
    .describe('DynamoDB table name → items to put before the scenario starts, in plain JSON (marshalled as the Document client does)'),
  parameters: z
    .record(z.string(), z.union([z.string(), z.number()]))
    .optional()
    .describe('SAM template parameter overrides for the deploy, e.g. ConfigCacheTtlSeconds: 0'),
  faults: z.array(Fault).optional(),
  mockConfig: GivenMockConfig.optional(),
});

// ---------- when ----------

const Token = z
  .string()
  .optional()
  .describe('A captured token name (default: the last captured), "wrong" for a well-formed unknown token, or a literal token');
const ExpectError = z.string().optional().describe('The AWS error code this call must fail with (e.g. TaskTimedOut, InvalidToken)');

const ExpiresIn = z
  .number()
  .int()
  .min(1)
  .max(604800)
  .optional()
  .describe('Seconds the presigned URL or form policy stays valid, on the scenario clock (default 900; S3 allows up to 7 days)');

export const UploadStep = z
  .strictObject({
    bucket: IDENT,
    key: IDENT,
    ...ObjectSource,
    as: IDENT.optional().describe('Name for the execution this upload starts'),
    expectExecution: z.boolean().optional().describe('Wait for the execution the upload starts (default true)'),
    via: z
      .enum(['put', 'presigned', 'post-form'])
      .optional()
      .describe('How the object is sent: an SDK PutObject (default), a presigned PUT URL, or an HTML form POST with a signed policy (the browser and app upload paths)'),
    link: IDENT.optional().describe('With via presigned or post-form: a name for the URL or form, to send again with `fetch` (e.g. after advanceClock)'),
    expiresIn: ExpiresIn,
  })
  .refine(exactlyOneSource, ONE_SOURCE)
  .refine((u) => (u.link === undefined && u.expiresIn === undefined) || (u.via !== undefined && u.via !== 'put'), {
    message: 'link and expiresIn need via: presigned or post-form',
  });

export const PresignStep = z.strictObject({
  bucket: IDENT,
  key: IDENT,
  method: z.enum(['GET', 'PUT']).optional().describe('What the URL may do (default GET)'),
  expiresIn: ExpiresIn,
  as: IDENT.describe('A name for the URL, to use with `fetch`'),
});

export const FetchStep = z
  .strictObject({
    link: IDENT.describe('A URL from `presign`, or a URL or form from an `upload` with `link`'),
    ...ObjectSource,
    expectStatus: z.number().int().min(100).max(599).optional().describe('The HTTP status the request must get (default: any 2xx or 3xx)'),
    expectError: z.string().optional().describe('The S3 error code the request must fail with (e.g. AccessDenied for an expired link)'),
  })
  .refine((f) => [f.file, f.image, f.text, f.json].filter((x) => x !== undefined).length <= 1, { message: 'give at most one of file, image, text, json' })
  .describe('Send a presigned URL or form again, as a browser or app would');

export const StartStep = z.strictObject({
  workflow: z.string().optional().describe('State machine name (default: the scenario workflow)'),
  input: Json.optional(),
  name: z.string().optional().describe('Execution name'),
  as: IDENT.optional(),
});

const STATUS = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

export const AwaitStep = z
  .strictObject({
    execution: z.string().optional().describe('Execution name given with `as` (default: the latest)'),
    state: z.string().optional().describe('Wait until the execution enters this state (and its task is scheduled)'),
    status: z.union([STATUS, z.array(STATUS)]).optional().describe('Wait for this status; default when no state: any terminal status'),
    captureToken: IDENT.optional().describe('Name for the captured task token (default "token")'),
    timeoutSeconds: z.number().positive().optional().describe('Wall-clock limit for the wait (default 60)'),
  });

export const TaskSuccessStep = z.strictObject({ token: Token, output: Json.optional(), expectError: ExpectError });
export const TaskFailureStep = z.strictObject({ token: Token, error: z.string().optional(), cause: z.string().optional(), expectError: ExpectError });
export const HeartbeatStep = z.strictObject({ token: Token, expectError: ExpectError });
export const RotateSecretStep = z.strictObject({
  secret: IDENT,
  value: z.union([z.string(), z.record(z.string(), Json)]).describe('The new AWSCURRENT value (PutSecretValue)'),
});
export const AdvanceClockStep = z.strictObject({
  seconds: z.number().min(0).describe('Move (virtual) time forward, firing every timer on the way'),
});
export const SendStep = z.strictObject({
  queue: IDENT.describe('Queue name (or URL)'),
  body: Json.describe('The message body: text as is, anything else as its JSON'),
  attributes: z
    .record(z.string(), z.union([z.string(), z.number(), z.strictObject({ dataType: IDENT, value: z.string() })]))
    .optional()
    .describe('Message attributes: a string (String), a number (Number), or {dataType, value} (Binary values in base64)'),
  groupId: z.string().optional().describe('MessageGroupId (FIFO queues)'),
  deduplicationId: z.string().optional().describe('MessageDeduplicationId (FIFO queues)'),
  delaySeconds: z.number().int().min(0).max(900).optional(),
  expectError: ExpectError,
});

export const PutEventsEntry = z.strictObject({
  source: IDENT.describe('Source (an aws.* source is refused, as AWS does for callers that are not the service)'),
  detailType: IDENT.describe('DetailType'),
  detail: z.record(z.string(), Json).default({}).describe('Detail, a JSON object (sent as its JSON text)'),
  eventBusName: IDENT.optional().describe('EventBusName, a bus name or ARN (default: the default bus)'),
  resources: z.array(z.string()).optional().describe('Resources (ARNs)'),
});

export const PutEventsStep = z.array(PutEventsEntry).min(1).max(10);

export const InvokeStep = z
  .strictObject({
    function: IDENT,
    payload: Json.optional(),
    invocationType: z.enum(['RequestResponse', 'Event']).optional(),
    expectOutput: Json.optional().describe("The function's response (its JSON): a partial deep match, matchers allowed, as then.execution.output"),
    expectError: ExpectError,
  })
  .refine((s) => s.expectOutput === undefined || (s.invocationType !== 'Event' && s.expectError === undefined), {
    message: 'expectOutput needs a synchronous invoke (no invocationType: Event) that is not expected to fail (no expectError)',
    path: ['expectOutput'],
  });
export const DeliverS3EventStep = z
  .strictObject({ bucket: IDENT, key: IDENT })
  .describe("Delivers the bucket notification for an existing object again (AWS delivers at least once), invoking the bucket's notification functions");

/** A text expectation: exact, or contains / matches. */
export const Text = z.union([
  z.string(),
  z.strictObject({ contains: z.string().optional(), matches: z.string().optional().describe('A regular expression') }),
]);

const TEST_STATUS = z.enum(['SUCCEEDED', 'FAILED', 'RETRIABLE', 'CAUGHT_ERROR']);

export const TestStateStep = z
  .strictObject({
    state: z.string().min(1).max(80).optional().describe('The state to test, by name, in the workflow (states inside Map and Parallel included)'),
    workflow: z.string().optional().describe('The state machine whose definition holds the state (default: the scenario workflow)'),
    definition: z.record(z.string(), Json).optional().describe('A lone state definition to test instead of a state of a workflow'),
    input: Json.optional().describe('The state input (default {})'),
    mock: z
      .strictObject({
        result: Json.optional().describe('What the integration (or the Map/Parallel state) returns instead of running'),
        errorOutput: z.strictObject({ error: z.string().optional(), cause: z.string().optional() }).optional().describe('The error it fails with instead'),
        fieldValidationMode: z.enum(['STRICT', 'PRESENT', 'NONE']).optional().describe('How the result is checked against the API model (default STRICT)'),
      })
      .refine((m) => (m.result === undefined) !== (m.errorOutput === undefined), { message: 'give exactly one of result, errorOutput' })
      .optional()
      .describe('TestState mock: no Lambda runs, no service is called'),
    variables: z.record(z.string(), Json).optional().describe('Workflow variables in scope'),
    context: z.record(z.string(), Json).optional().describe('The context object ($$) the state sees (with a mock only)'),
    stateConfiguration: z
      .strictObject({
        retrierRetryCount: z.number().int().min(0).optional().describe('Retries already made by the matching Retrier'),
        errorCausedByState: z.string().optional().describe('The Map/Parallel sub-state a mocked error comes from'),
        mapIterationFailureCount: z.number().int().min(0).optional().describe('How many mocked Map iterations failed'),
        mapItemReaderData: Json.optional().describe("What the Map's ItemReader reads (text, or JSON written out as text)"),
      })
      .optional(),
    inspectionLevel: z.enum(['INFO', 'DEBUG', 'TRACE']).optional().describe('Default DEBUG when `expect.inspectionData` is given, else INFO'),
    expect: z
      .strictObject({
        status: TEST_STATUS.optional(),
        output: Json.optional().describe('Partial deep match of the output (same matchers as then.execution.output)'),
        nextState: z.union([z.string(), z.null()]).optional().describe('The next state; null: none (the state ends the workflow or failed)'),
        error: Text.optional(),
        cause: Text.optional(),
        inspectionData: z.record(z.string(), Json).optional().describe('Partial match of inspectionData, its JSON texts parsed (afterInputPath, afterParameters, result, errorDetails, variables…)'),
        rejected: z
          .strictObject({ code: IDENT.describe('e.g. ValidationException, InvalidDefinition'), message: Text.optional() })
          .optional()
          .describe('TestState must refuse the request with this error'),
      })
      .default({})
      .describe('What TestState must answer (default: status SUCCEEDED)'),
  })
  .refine((t) => (t.state === undefined) !== (t.definition === undefined), { message: 'give exactly one of state, definition' })
  .describe('Unit-test one state with the TestState API (a mock in place of its integration)');

// Steps nest (repeat, parallel), so the step schema is recursive.
export interface StepInput {
  upload?: z.input<typeof UploadStep>;
  start?: z.input<typeof StartStep>;
  await?: z.input<typeof AwaitStep>;
  taskSuccess?: z.input<typeof TaskSuccessStep>;
  taskFailure?: z.input<typeof TaskFailureStep>;
  heartbeat?: z.input<typeof HeartbeatStep>;
  rotateSecret?: z.input<typeof RotateSecretStep>;
  advanceClock?: z.input<typeof AdvanceClockStep>;
  invoke?: z.input<typeof InvokeStep>;
  send?: z.input<typeof SendStep>;
  putEvents?: z.input<typeof PutEventsStep>;
  deliverS3Event?: z.input<typeof DeliverS3EventStep>;
  presign?: z.input<typeof PresignStep>;
  fetch?: z.input<typeof FetchStep>;
  testState?: z.input<typeof TestStateStep>;
  repeat?: { times: number; parallel?: boolean; steps: StepInput[] };
  parallel?: StepInput[];
  name?: string;
}

export const STEP_ACTIONS = [
  'upload',
  'start',
  'await',
  'taskSuccess',
  'taskFailure',
  'heartbeat',
  'rotateSecret',
  'advanceClock',
  'invoke',
  'send',
  'putEvents',
  'deliverS3Event',
  'presign',
  'fetch',
  'testState',
  'repeat',
  'parallel',
] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

export const Step: z.ZodType<StepOutput, StepInput> = z.lazy(() =>
  z
    .strictObject({
      name: z.string().optional().describe('A label shown in reports'),
      upload: UploadStep.optional().describe('Put an object (fires the bucket notification like AWS)'),
      start: StartStep.optional().describe('StartExecution'),
      await: AwaitStep.optional().describe('Wait for a state or a status; captures the task token of a callback state'),
      taskSuccess: TaskSuccessStep.optional(),
      taskFailure: TaskFailureStep.optional(),
      heartbeat: HeartbeatStep.optional(),
      rotateSecret: RotateSecretStep.optional(),
      advanceClock: AdvanceClockStep.optional(),
      invoke: InvokeStep.optional().describe('Invoke a function directly'),
      send: SendStep.optional().describe('SendMessage to an SQS queue'),
      putEvents: PutEventsStep.optional().describe('PutEvents (1–10 entries) over the EventBridge API; an entry EventBridge refuses fails the step with its ErrorCode'),
      deliverS3Event: DeliverS3EventStep.optional(),
      presign: PresignStep.optional().describe('Create a presigned S3 URL (signed on the scenario clock)'),
      fetch: FetchStep.optional(),
      testState: TestStateStep.optional(),
      repeat: z
        .strictObject({
          times: z.number().int().min(1).max(10_000),
          parallel: z.boolean().optional().describe('Run the repetitions at once (default: one after another)'),
          steps: z.array(Step).min(1).describe('{{i}} in any string is replaced by the repetition number (1-based)'),
        })
        .optional(),
      parallel: z.array(Step).min(1).optional().describe('Run these steps at once'),
    })
    .superRefine((s, ctx) => {
      const present = STEP_ACTIONS.filter((k) => s[k] !== undefined);
      if (present.length !== 1)
        ctx.addIssue({
          code: 'custom',
          message:
            present.length === 0
              ? `a step needs one action: ${STEP_ACTIONS.join(', ')}`
              : `a step has exactly one action, found ${present.join(' and ')}`,
        });
    }),
) as unknown as z.ZodType<StepOutput, StepInput>;

export interface StepOutput {
  name?: string;
  upload?: z.output<typeof UploadStep>;
  start?: z.output<typeof StartStep>;
  await?: z.output<typeof AwaitStep>;
  taskSuccess?: z.output<typeof TaskSuccessStep>;
  taskFailure?: z.output<typeof TaskFailureStep>;
  heartbeat?: z.output<typeof HeartbeatStep>;
  rotateSecret?: z.output<typeof RotateSecretStep>;
  advanceClock?: z.output<typeof AdvanceClockStep>;
  invoke?: z.output<typeof InvokeStep>;
  send?: z.output<typeof SendStep>;
  putEvents?: z.output<typeof PutEventsStep>;
  deliverS3Event?: z.output<typeof DeliverS3EventStep>;
  presign?: z.output<typeof PresignStep>;
  fetch?: z.output<typeof FetchStep>;
  testState?: z.output<typeof TestStateStep>;
  repeat?: { times: number; parallel?: boolean | undefined; steps: StepOutput[] };
  parallel?: StepOutput[];
}

// ---------- then ----------

/** A number expectation: exact, or bounds. */
export const Count = z.union([
  z.number(),
  z
    .strictObject({ atLeast: z.number().optional(), atMost: z.number().optional(), exactly: z.number().optional() })
    .describe('Bounds (inclusive)'),
]);

export const ExecutionExpect = z.strictObject({
  of: z.string().optional().describe('Execution name given with `as` (default: the latest started)'),
  status: z.union([STATUS, z.array(STATUS)]).optional(),
  output: Json.optional().describe('Partial deep match; {$gte, $lte, $contains, $matches, $exists, $length, $type} matchers allowed'),
  outputPaths: z.record(z.string(), Json).optional().describe('JSONPath selector → expected value (same matchers)'),
  error: Text.optional(),
  cause: Text.optional(),
});

export const StateExpect = z.strictObject({
  entered: Count.optional().describe('How many times the state was entered'),
  attempts: Count.optional().describe('Task attempts in the first entry (1 + retries)'),
  retryDelaysSeconds: z.array(z.number()).optional().describe('Seconds between a failed attempt and the next (virtual time)'),
  errors: z.array(z.string()).optional().describe('Error names of the failed attempts, in order'),
  output: Json.optional().describe('Partial match of the state output (last exit)'),
  input: Json.optional().describe('Partial match of the state input (last entry)'),
  visited: z.boolean().optional(),
});

export const HistoryEventExpect = z.strictObject({
  type: IDENT.describe('AWS HistoryEventType, e.g. TaskStateEntered, LambdaFunctionFailed'),
  state: z.string().optional().describe('The state the event belongs to'),
  error: Text.optional(),
  cause: Text.optional(),
});

export const ObjectExpect = z.strictObject({
  bucket: IDENT,
  key: z.string().optional(),
  prefix: z.string().optional().describe('With count: how many objects under the prefix'),
  count: Count.optional(),
  absent: z.boolean().optional(),
  maxBytes: z.number().int().positive().optional(),
  contentType: z.string().optional(),
  json: Json.optional().describe('Partial match of the body parsed as JSON'),
  versions: Count.optional().describe('How many versions the key has (ListObjectVersions; delete markers not counted)'),
  deleteMarkers: Count.optional().describe('How many delete markers the key has'),
  tags: z.record(z.string(), z.string()).optional().describe("The current version's tag set, exactly ({} for none)"),
  image: z
    .strictObject({
      format: z.string().optional(),
      width: Count.optional(),
      height: Count.optional(),
      maxBytes: z.number().int().positive().optional(),
    })
    .optional(),
});

export const SnsExpect = z.strictObject({
  topic: z.string().optional().describe('Topic name or ARN'),
  count: Count.optional().describe('Messages on this topic that match (default: at least 1)'),
  message: Json.optional().describe('Partial match of the message parsed as JSON, or a text expectation'),
  subject: Text.optional(),
});

export const SecretReadExpect = z.strictObject({
  secret: IDENT,
  by: z.array(z.string()).optional().describe('Functions that must have read it'),
  notBy: z.array(z.string()).optional().describe('Functions that must not have read it'),
  only: z.boolean().optional().describe('No caller besides `by` read it'),
  versions: Count.optional().describe('Distinct versions read'),
});

export const ItemExpect = z
  .record(z.string(), Json)
  .describe('An item found by its key attributes (which it must give), the others matched partially (same matchers as output); an attribute given as null must be absent; `$absent: true` expects no item with that key');

export const MessagesExpect = z.strictObject({
  count: Count.optional().describe('How many (default: at least 1, or as many as bodies)'),
  bodies: z
    .array(Json)
    .optional()
    .describe('Each matches a message, in the order they were sent (a subsequence): text exactly, {contains|matches}, or a partial JSON match of the body'),
  attributes: z.record(z.string(), Json).optional().describe('Only messages whose attributes have these values (strings, numbers or matchers)'),
});

const DELIVERY_STATUS = z.enum(['delivered', 'failed']);

export const EventExpect = z
  .strictObject({
    event: Json.optional().describe('Partial match of the event as rules see it (source, detail-type, detail, resources…; same matchers as output)'),
    rule: IDENT.optional().describe("Count this rule's deliveries of matching events to its targets instead of the events the bus accepted"),
    target: IDENT.optional().describe('With rule: only deliveries to the target with this Id'),
    status: DELIVERY_STATUS.optional().describe('With rule: delivered (default) or failed (after the RetryPolicy ran out, or an error a retry cannot fix)'),
    attempts: Count.optional().describe('With rule: only deliveries that took this many attempts (1 + retries)'),
    input: Json.optional().describe('With rule: partial match of what the target received (Input, InputPath, InputTransformer applied), JSON parsed'),
    count: Count.optional().describe('How many (default: at least 1)'),
  })
  .superRefine((e, ctx) => {
    if (e.rule !== undefined) return;
    for (const k of ['target', 'status', 'attempts', 'input'] as const) {
      if (e[k] !== undefined) ctx.addIssue({ code: 'custom', message: `${k} needs rule: it describes a rule's deliveries`, path: [k] });
    }
  });

export const Then = z.strictObject({
  execution: ExecutionExpect.optional(),
  executions: z
    .strictObject({ workflow: z.string().optional(), count: Count.optional(), status: z.union([STATUS, z.array(STATUS)]).optional() })
    .optional()
    .describe('Every execution of a workflow in this scenario'),
  path: z.array(IDENT).optional().describe('States entered, in this order (a subsequence of the path taken)'),
  notVisited: z.array(IDENT).optional(),
  states: z.record(z.string(), StateExpect).optional(),
  history: z.array(HistoryEventExpect).optional().describe('Events that occur in this order (a subsequence)'),
  concurrency: z
    .strictObject({
      maps: z.record(z.string(), Count).optional().describe('Peak concurrent iterations per Map state'),
      functions: z.record(z.string(), Count).optional().describe('Peak concurrent invocations per function'),
    })
    .optional(),
  invocations: z.record(z.string(), Count).optional().describe('Invocations per function'),
  coldStarts: z.record(z.string(), Count).optional(),
  objects: z.array(ObjectExpect).optional(),
  sns: z.array(SnsExpect).optional(),
  messages: z
    .record(IDENT, MessagesExpect)
    .optional()
    .describe('SQS queue name → the messages that reached it during the scenario (consumed or not); waits until they have'),
  deadLetters: z
    .record(IDENT, MessagesExpect.omit({ attributes: true }))
    .optional()
    .describe('SQS queue name → its messages SQS moved to the dead-letter queue (maxReceiveCount receives); waits until it has'),
  events: z
    .record(IDENT, z.array(EventExpect))
    .optional()
    .describe('EventBridge bus name (default, or a custom bus) → the events it accepted during the scenario, or with rule: what that rule delivered; waits until they hold'),
  items: z.record(IDENT, z.array(ItemExpect)).optional().describe('DynamoDB table name → items expected in it'),
  tables: z
    .record(IDENT, z.strictObject({ count: Count.describe('How many items the table holds') }))
    .optional()
    .describe('DynamoDB table name → what the table holds as a whole'),
  secretReads: z.array(SecretReadExpect).optional(),
  secretsNotLeaked: z
    .boolean()
    .optional()
    .describe('No secret string value appears in any output, history, log or message (default true when secrets are given)'),
});

export const Scenario = z.strictObject({
  $schema: z.string().optional(),
  name: IDENT,
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  skip: z.string().optional().describe('Skip this scenario, with the reason'),
  workflow: z.string().optional().describe('The state machine under test (its name in the project\'s template: rehearse.config.yaml, --template, or template.yaml found upward)'),
  definition: z
    .union([z.string(), z.record(z.string(), Json)])
    .optional()
    .describe(
      'An ASL definition (inline, or a file path relative to the scenario). With a `workflow` that the project\'s template defines, it replaces that state machine\'s definition (its DefinitionSubstitutions applied); otherwise it is created as its own state machine',
    ),
  deploy: z
    .boolean()
    .optional()
    .describe('Deploy the project\'s template first (default: true when `workflow` is set, unless `definition` is a state machine the template does not define)'),
  timeoutSeconds: z.number().positive().optional().describe('Wall-clock limit for the whole scenario (default 300)'),
  given: Given.optional(),
  when: z.array(Step).default([]),
  then: Then.default({}),
});

export type ScenarioInput = z.input<typeof Scenario>;
export type ScenarioSpec = z.output<typeof Scenario>;
export type GivenSpec = z.output<typeof Given>;
export type FaultSpec = z.output<typeof Fault>;
export type ThenSpec = z.output<typeof Then>;
export type ExecutionExpectSpec = z.output<typeof ExecutionExpect>;
export type StateExpectSpec = z.output<typeof StateExpect>;
export type ObjectExpectSpec = z.output<typeof ObjectExpect>;
export type ImageSpecValue = z.output<typeof ImageSpec>;
export type CountSpec = z.output<typeof Count>;
export type TextSpec = z.output<typeof Text>;
export type StepSpec = StepOutput;
export type GivenQueueSpec = z.output<typeof GivenQueue>;
export type SendStepSpec = z.output<typeof SendStep>;
export type MessagesExpectSpec = z.output<typeof MessagesExpect>;
export type PutEventsStepSpec = z.output<typeof PutEventsStep>;
export type EventExpectSpec = z.output<typeof EventExpect>;
export type TestStateStepSpec = z.output<typeof TestStateStep>;

/** The JSON Schema editors use (yaml-language-server). */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Scenario, { io: 'input', unrepresentable: 'any', cycles: 'ref' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://rehearse.dev/scenario.schema.json',
    title: 'Rehearse scenario',
    description: 'A scenario: given (secrets, objects, faults), when (steps), then (expectations). See harness/scenario/schema.ts.',
  };
}
