/** RequestContext from SigV4 (region, service, access key, Lambda caller), host prefixes, and awsJson result serialisation. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListStateMachinesCommand, SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { createIdSource, SystemClock } from '../../harness/core/index.ts';
import { FaultRegistry } from '../../harness/emulator/faults.ts';
import { createProtocolHandler } from '../../harness/protocol/http-handler.ts';
import type { JsonProtocolService, RequestContext } from '../../harness/protocol/service.ts';
import { clientConfig } from '../support/clients.ts';

const seen: RequestContext[] = [];
const states: JsonProtocolService = {
  kind: 'json',
  signingName: 'states',
  targetPrefix: 'AWSStepFunctions',
  jsonVersion: '1.0',
  operations: {
    ListStateMachines: (_input, ctx) => {
      seen.push(ctx);
      return { stateMachines: [{ stateMachineArn: 'arn:aws:states:eu-west-1:000000000000:stateMachine:m', name: 'm', type: 'STANDARD', creationDate: new Date(Date.UTC(2030, 0, 1, 0, 0, 1)) }] };
    },
    StartSyncExecution: (input, ctx) => {
      seen.push(ctx);
      return { executionArn: 'arn:x', startDate: new Date(0), stopDate: new Date(0), status: 'SUCCEEDED', output: JSON.stringify(input.input ?? null) };
    },
  },
};

let server: Server;
let endpoint = '';
beforeAll(async () => {
  const handler = createProtocolHandler({
    services: [states],
    region: 'us-east-1',
    accountId: '111122223333',
    ids: createIdSource(9),
    clock: new SystemClock(),
    faults: new FaultRegistry(),
    log: { info: () => {}, warn: () => {}, error: () => {} },
    endpoint: () => endpoint,
  });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('request context', () => {
  it('takes region, signing service and access key from SigV4; caller from LAMBDA_<name> keys', async () => {
    seen.length = 0;
    const fromClient = new SFNClient({ ...clientConfig(endpoint, 'eu-west-1') });
    const res = await fromClient.send(new ListStateMachinesCommand({}));
    // Date → epoch seconds on the wire, parsed back by the SDK.
    expect(res.stateMachines?.[0]?.creationDate?.toISOString()).toBe('2030-01-01T00:00:01.000Z');
    const fromLambda = new SFNClient({ ...clientConfig(endpoint), credentials: { accessKeyId: 'LAMBDA_resize-image', secretAccessKey: 'x' } });
    await fromLambda.send(new ListStateMachinesCommand({}));
    expect(seen.map((c) => ({ region: c.region, service: c.signingService, key: c.accessKeyId, caller: c.caller, account: c.accountId }))).toEqual([
      { region: 'eu-west-1', service: 'states', key: 'test', caller: undefined, account: '111122223333' },
      { region: 'us-east-1', service: 'states', key: 'LAMBDA_resize-image', caller: 'resize-image', account: '111122223333' },
    ]);
    expect(seen[0]!.endpoint).toBe(endpoint);
    expect(seen[0]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    fromClient.destroy();
    fromLambda.destroy();
  });

  it('a JSON request with a query string in its URL gives the operation the same context as without', async () => {
    seen.length = 0;
    const headers = {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AWSStepFunctions.ListStateMachines',
      authorization: 'AWS4-HMAC-SHA256 Credential=LAMBDA_fn/20260101/eu-west-2/states/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc',
    };
    for (const path of ['/', '/?via=general']) {
      const res = await fetch(`${endpoint}${path}`, { method: 'POST', headers, body: '{}' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ stateMachines: [expect.objectContaining({ creationDate: Date.UTC(2030, 0, 1, 0, 0, 1) / 1000 })] });
    }
    const [plain, withQuery] = seen.map(({ requestId, idle, ...rest }) => (expect(requestId).toMatch(/^[0-9a-f-]{36}$/), expect(typeof idle).toBe('function'), rest));
    expect(plain).toMatchObject({ region: 'eu-west-2', signingService: 'states', accessKeyId: 'LAMBDA_fn', caller: 'fn', path: '/' });
    expect(withQuery).toEqual(plain);
  });

  it('a `sync-` host prefix (StartSyncExecution) reaches the same service, without disableHostPrefix', async () => {
    seen.length = 0;
    const sfn = new SFNClient(clientConfig(endpoint));
    const out = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m', input: '{"a":1}' }));
    expect(out.status).toBe('SUCCEEDED');
    expect(seen[0]!.host).toMatch(/^sync-127\.0\.0\.1:\d+$/);
    sfn.destroy();
  });
});
