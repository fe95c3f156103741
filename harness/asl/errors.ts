/**
 * ASL runtime errors (DESIGN.md style 4): `error` is the name Retry and Catch
 * match on (`States.Timeout`, `States.TaskFailed`, or a Lambda's `errorType`),
 * `cause` the text AWS puts in the failure event.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
export class StatesError extends Error {
  readonly error: string;
  readonly causeText: string;

  constructor(error: string, cause: string) {
    super(`${error}: ${cause}`);
    this.name = 'StatesError';
    this.error = error;
    this.causeText = cause;
  }
}

/** Where an error happened, as AWS's cause messages name it. */
export interface StateRef {
  stateName: string;
  /** Id of the state's `…StateEntered` event (AWS: "entered at the event id #N"). */
  enteredEventId: number;
}
