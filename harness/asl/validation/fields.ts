/**
 * Which fields each state type accepts, per query language.
 * https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html ("JSONPath fields … not supported in JSONata states")
 */
export type QueryLanguage = 'JSONPath' | 'JSONata';

export const STATE_TYPES = ['Task', 'Pass', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map'] as const;

const COMMON = ['Type', 'Comment', 'QueryLanguage'];
const FLOW = ['Next', 'End'];

/** Fields accepted in both query languages, by state type. */
const BOTH: Record<string, readonly string[]> = {
  Task: [...COMMON, ...FLOW, 'Resource', 'Retry', 'Catch', 'Assign', 'TimeoutSeconds', 'HeartbeatSeconds', 'Credentials'],
  Pass: [...COMMON, ...FLOW, 'Assign'],
  Choice: [...COMMON, 'Choices', 'Default', 'Assign'],
  Wait: [...COMMON, ...FLOW, 'Seconds', 'Timestamp', 'Assign'],
  Succeed: [...COMMON],
  Fail: [...COMMON, 'Error', 'Cause'],
  Parallel: [...COMMON, ...FLOW, 'Branches', 'Retry', 'Catch', 'Assign'],
  Map: [
    ...COMMON, ...FLOW, 'ItemProcessor', 'Iterator', 'ItemReader', 'ItemSelector', 'ItemBatcher', 'ResultWriter',
    'MaxConcurrency', 'ToleratedFailurePercentage', 'ToleratedFailureCount', 'Retry', 'Catch', 'Assign', 'Label',
  ],
};

/** Fields only JSONPath states accept. */
const JSONPATH_ONLY: Record<string, readonly string[]> = {
  Task: ['InputPath', 'OutputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath'],
  Pass: ['InputPath', 'OutputPath', 'Parameters', 'Result', 'ResultPath'],
  Choice: ['InputPath', 'OutputPath'],
  Wait: ['InputPath', 'OutputPath', 'SecondsPath', 'TimestampPath'],
  Succeed: ['InputPath', 'OutputPath'],
  Fail: ['ErrorPath', 'CausePath'],
  Parallel: ['InputPath', 'OutputPath', 'Parameters', 'ResultSelector', 'ResultPath'],
  Map: [
    'InputPath', 'OutputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'ItemsPath', 'MaxConcurrencyPath',
    'ToleratedFailurePercentagePath', 'ToleratedFailureCountPath',
  ],
};

/** Fields only JSONata states accept. */
const JSONATA_ONLY: Record<string, readonly string[]> = {
  Task: ['Arguments', 'Output'],
  Pass: ['Output'],
  Choice: ['Output'],
  Wait: ['Output'],
  Succeed: ['Output'],
  Fail: [],
  Parallel: ['Arguments', 'Output'],
  Map: ['Items', 'Output'],
};

export type FieldVerdict = 'ok' | 'other-language' | 'unknown';

export function fieldVerdict(type: string, field: string, language: QueryLanguage): FieldVerdict {
  if (BOTH[type]?.includes(field)) return 'ok';
  const mine = language === 'JSONPath' ? JSONPATH_ONLY : JSONATA_ONLY;
  const theirs = language === 'JSONPath' ? JSONATA_ONLY : JSONPATH_ONLY;
  if (mine[type]?.includes(field)) return 'ok';
  if (theirs[type]?.includes(field)) return 'other-language';
  return 'unknown';
}
