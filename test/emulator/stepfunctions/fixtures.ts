/** Shared setup for the Step Functions API tests: a real endpoint and real SDK v3 clients. */
import AdmZip from 'adm-zip';
import { CreateFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { startEmulator } from '../../../harness/emulator/index.ts';
import { lambdaClient, sfnClient } from '../../support/clients.ts';

export const ROLE = 'arn:aws:iam::000000000000:role/StepFunctionsRole';

export async function startEndpoint() {
  const emulator = await startEmulator({ port: 0, clock: 'virtual', seed: 7 });
  const sfn = sfnClient(emulator.endpoint);
  const lambda = lambdaClient(emulator.endpoint);
  return { emulator, sfn, lambda, endpoint: emulator.endpoint };
}

/** Deploys a Node.js function from inline ESM source as a real zip. */
export async function createNodeFunction(lambda: LambdaClient, name: string, source: string): Promise<string> {
  const zip = new AdmZip();
  zip.addFile('index.mjs', Buffer.from(source));
  const out = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::000000000000:role/lambda-role',
      Code: { ZipFile: zip.toBuffer() },
      Timeout: 10,
    }),
  );
  return out.FunctionArn!;
}

export const passChain = (n: number) => ({
  StartAt: 'S0',
  States: Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`S${i}`, i === n - 1 ? { Type: 'Pass', End: true } : { Type: 'Pass', Next: `S${i + 1}` }]),
  ),
});
