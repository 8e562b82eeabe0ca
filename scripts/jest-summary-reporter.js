import process from 'node:process';

/**
 * Prints one plain closing line, "tests: N passed, N failed", that CI and people can read
 * without knowing jest's own summary format.
 */
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${failed} failed${tail}\n`);
  }
}
