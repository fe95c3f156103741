/**
 * Event patterns: EventBridge's matching language, one module for every
 * service that speaks it — EventBridge rules and TestEventPattern, and SNS
 * subscription filter policies (the same language with fewer operators; see
 * harness/emulator/sns/filter-policy.ts).
 */
export { compilePattern, compilePatternText, EventPatternError, type CompiledPattern, type CompileOptions } from './compile.ts';
export { matchesPattern } from './match.ts';
