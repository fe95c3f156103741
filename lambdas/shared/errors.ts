/**
 * Error types the workflows match on. The Node.js Lambda runtime reports a thrown
 * error's `name` as `errorType`, which is the name Step Functions' Retry and Catch
 * compare (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
 * The workflows never retry ConfigurationError or ImageProcessingError (MaxAttempts 0):
 * repeating the call cannot fix them.
 */

/** The configuration secret is missing, unreadable or malformed. */
export class ConfigurationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}

/** An image that passed validation could not be processed (sharp failed on it). */
export class ImageProcessingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageProcessingError';
  }
}

/** The event or payload handed to a handler lacks a field or has the wrong type. */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** A dependency outside AWS failed in a way worth retrying (5xx, network, timeout). */
export class ServiceException extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServiceException';
  }
}

/** The external dependency refused the request (4xx): retrying the same request will not help. */
export class ClientException extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientException';
  }
}

export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
