/** Reporters: console (progress + failures), JSON (stable), JUnit XML, HTML (self-contained). */
export { consoleReporter, type ProgressReporter, type ConsoleReporterOptions } from './console.ts';
export { renderHtml, renderGraph, renderCoverageGraph, renderTimeline } from './html.ts';
export { renderJson } from './json.ts';
export { renderJunit } from './junit.ts';
export { describeFailure } from './failure-text.ts';
export { layoutDefinition } from './graph-layout.ts';
export { REPORTERS, REPORT_FILES, parseReporters, type ReporterName } from './reporters.ts';
export { writeReports } from './write.ts';
