/** The payload filter language (CONTRACT §8.1): endpoints, source destinations and bulk replay share it. */
export { compileFilter, type FilterMatcher } from './compile.js';
export { assertValidFilter, FILTER_MAX_BYTES, FILTER_MAX_DEPTH, filterProblems } from './validate.js';
