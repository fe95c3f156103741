/**
 * A client made on first use and kept for the execution environment's life
 * (module scope), so warm invocations reuse its connections — the pattern AWS
 * recommends (https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html).
 */
export function once<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}
