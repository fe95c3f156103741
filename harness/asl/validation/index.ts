/**
 * Definition validation for CreateStateMachine, ValidateStateMachineDefinition
 * and `rehearse validate`: asl-validator's JSON schemas plus the semantic
 * rules they lack (semantic.ts). Every diagnostic names where
 * (`States.ResizeImage.Retry[0].BackoffRate`) and what (`must be ≥ 1.0`),
 * with ValidateStateMachineDefinition's codes
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinitionDiagnostic.html).
 */
import type { Diagnostic } from '../api.ts';
import { schemaDiagnostics } from './schema.ts';
import { semanticDiagnostics, type SemanticOptions } from './semantic.ts';
import { toJsonPointer } from './location.ts';
import { StoredDiagnostics, validatorIdentity } from './stored.ts';

export { toJsonPointer, formatLocation, parseLocation } from './location.ts';
export type { SemanticOptions as ValidationOptions } from './semantic.ts';

const cache = new Map<string, Diagnostic[]>();
let stored: StoredDiagnostics | undefined;

export function validateDefinition(text: string, options: SemanticOptions = {}): Diagnostic[] {
  const cacheable = options.unsupported === undefined && typeof text === 'string';
  if (!cacheable) return validate(text, options);
  let result = cache.get(text);
  if (!result) {
    stored ??= new StoredDiagnostics(validatorIdentity());
    result = stored.read(text);
    if (!result) {
      result = validate(text, options);
      stored.write(text, result);
    }
    if (cache.size > 500) cache.clear();
    cache.set(text, result);
  }
  return result.map((d) => ({ ...d }));
}

function validate(text: string, options: SemanticOptions): Diagnostic[] {
  if (typeof text !== 'string' || text.trim() === '') {
    return [{ severity: 'ERROR', code: 'MISSING_DESCRIPTION', location: '', message: 'the definition is empty' }];
  }
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (e) {
    return [{ severity: 'ERROR', code: 'INVALID_JSON_DESCRIPTION', location: '', message: `the definition is not valid JSON: ${(e as Error).message}` }];
  }
  if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) {
    return [{ severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', location: '', message: 'the definition must be a JSON object with StartAt and States' }];
  }
  const semantic = semanticDiagnostics(definition as Record<string, unknown>, options);
  const schema = schemaDiagnostics(definition);
  // The schema often reports the same problem as our rules, at the same field or one of its ancestors or
  // descendants (its oneOf noise); keep our explanation.
  const explained = semantic.filter((d) => d.severity === 'ERROR').map((d) => d.location);
  const related = (a: string, b: string) => a === b || a.startsWith(b + '.') || a.startsWith(b + '[') || b.startsWith(a + '.') || b.startsWith(a + '[') || a === '' || b === '';
  const extra = schema.filter((d) => !explained.some((loc) => related(d.location, loc)));
  return [...semantic, ...extra];
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'ERROR');
}

/**
 * The message CreateStateMachine puts in InvalidDefinition, built from the
 * ERROR diagnostics: `Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED:
 * must be ≥ 1.0 at /States/ResizeImage/Retry/0/BackoffRate'`.
 */
export function formatInvalidDefinition(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'ERROR');
  const parts = errors.map((d) => `'${d.code}: ${d.message}${d.location ? ` at ${toJsonPointer(d.location)}` : ''}'`);
  return `Invalid State Machine Definition: ${parts.join(', ')}`;
}

/** One line per diagnostic for the CLI: `ERROR States.X.Retry[0].BackoffRate: must be ≥ 1.0 (SCHEMA_VALIDATION_FAILED)`. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.severity} ${d.location || '(definition)'}: ${d.message} (${d.code})`;
}
