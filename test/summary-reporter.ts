/**
 * Prints one plain closing line after vitest's own summary, e.g. `Tests: 431 passed, 0 failed, 2 skipped`,
 * so CI logs can be read by tools that know no vitest.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A file that failed to load has no tests but is a failure.
      if (m.state() === 'failed' && [...m.children.allTests()].length === 0) failed++;
    }
    // At exit, so it comes after the default reporter's summary (stdout to a pipe or file is synchronous on Linux).
    const line = `Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`;
    process.once('exit', () => process.stdout.write(`\n${line}\n`));
  }
}
