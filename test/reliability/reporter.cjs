// Jest reporter for the reliability suite: one row per category (the top-level describe of each case
// in test/reliability/), counted from the real outcomes of this run; last line "N passed, N failed".
// Skipped cases are not "tried" and get their own column, so a skip never reads as a pass.
const path = require('node:path');

const SUITE_DIR = `${path.sep}test${path.sep}reliability${path.sep}`;

class ReliabilityReporter {
  onRunComplete(_contexts, results) {
    const rows = new Map();
    for (const file of results.testResults) {
      if (!file.testFilePath.includes(SUITE_DIR)) continue;
      if (file.testExecError) {
        // a file that failed to load is one failed case, not a silent zero
        rows.set(`${path.basename(file.testFilePath)} (did not run)`, { tried: 1, passed: 0, skipped: 0 });
      }
      for (const c of file.testResults) {
        const category = c.ancestorTitles[0] ?? path.basename(file.testFilePath);
        const row = rows.get(category) ?? { tried: 0, passed: 0, skipped: 0 };
        if (c.status === 'passed') { row.tried += 1; row.passed += 1; }
        else if (c.status === 'failed') row.tried += 1;
        else row.skipped += 1;
        rows.set(category, row);
      }
    }
    if (rows.size === 0) return;
    const lines = ['', 'Reliability suite', '| Category | Cases tried | Cases passed | Skipped |', '|---|---|---|---|'];
    let passed = 0;
    let failed = 0;
    for (const [category, row] of rows) {
      lines.push(`| ${category} | ${row.tried} | ${row.passed} | ${row.skipped} |`);
      passed += row.passed;
      failed += row.tried - row.passed;
    }
    lines.push('', `${passed} passed, ${failed} failed`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

module.exports = ReliabilityReporter;
