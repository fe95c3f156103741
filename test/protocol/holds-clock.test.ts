/**
 * Which requests hold the virtual clock while in flight (harness/protocol
 * holdsClockWhileHandled): one row per kind of request the rule separates.
 * A request that holds it keeps a Wait from jumping until it is answered, so
 * a read that held it let a polling client stall virtual time (issue 16); a
 * write that did not could let a timer fire before work it started.
 */
import { describe, expect, it } from 'vitest';
import { holdsClockWhileHandled } from '../../harness/protocol/index.ts';

describe('holdsClockWhileHandled', () => {
  it.each([
    // Reads: JSON targets, query actions, REST GET/HEAD.
    ['POST', '/', 'AWSStepFunctions.DescribeExecution', undefined, false],
    ['POST', '/', 'AWSStepFunctions.GetExecutionHistory', undefined, false],
    ['POST', '/', 'AWSStepFunctions.ListExecutions', undefined, false],
    ['POST', '/', 'DynamoDB_20120810.GetItem', undefined, false],
    ['POST', '/', 'DynamoDB_20120810.BatchGetItem', undefined, false],
    ['POST', '/', 'DynamoDB_20120810.Query', undefined, false],
    ['POST', '/', 'DynamoDB_20120810.Scan', undefined, false],
    ['POST', '/', undefined, 'GetQueueAttributes', false],
    ['GET', '/images/raw/cat.jpg', undefined, undefined, false],
    ['HEAD', '/images/raw/cat.jpg', undefined, undefined, false],
    // Writes: they start work, which must come before any timer that is due after them.
    ['POST', '/', 'AWSStepFunctions.StartExecution', undefined, true],
    ['POST', '/', 'AWSStepFunctions.SendTaskSuccess', undefined, true],
    ['POST', '/', 'DynamoDB_20120810.PutItem', undefined, true],
    ['POST', '/', 'DynamoDB_20120810.TransactGetItems', undefined, true],
    ['POST', '/', undefined, 'SendMessage', true],
    ['POST', '/', undefined, 'ReceiveMessage', true],
    ['PUT', '/images/raw/cat.jpg', undefined, undefined, true],
    ['DELETE', '/images/raw/cat.jpg', undefined, undefined, true],
    // An SNS confirmation link is a GET that writes.
    ['GET', '/', undefined, 'ConfirmSubscription', true],
    // Calls that sleep on the clock themselves would stop it forever if they held it.
    ['GET', '/2018-06-01/runtime/invocation/next', undefined, undefined, false],
    ['POST', '/2015-03-31/functions/resize-image/invocations', undefined, undefined, false],
    ['POST', '/2014-11-13/functions/resize-image/invoke-async/', undefined, undefined, false],
    ['POST', '/', 'AWSStepFunctions.StartSyncExecution', undefined, false],
    ['POST', '/', 'secretsmanager.RotateSecret', undefined, false],
  ] as const)('%s %s %s %s → holds: %s', (method, path, target, action, holds) => {
    expect(holdsClockWhileHandled(method, path, target, action)).toBe(holds);
  });
});
