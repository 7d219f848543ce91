// Jest reporter for the reliability suite: one row per category (the top-level describe of each case
// in test/reliability/), counted from the real outcomes of this run; last line "N passed, N failed".
// Skipped cases are not "tried" and get their own column, so a skip never reads as a pass.
const path = require('node:path');

const SUITE_DIR = `${path.sep}test${path.sep}reliability${path.sep}`;

/**
 * The fault kind a case tries, from its category and title (the first rule that matches); a category
 * with no rule is one kind. Counted only over cases that ran, so the column says what was really tried.
 */
const KIND_RULES = [
  ['SIGKILL mid-hook', /LXD POST|core\.https_address/, 'SIGKILL at an LXD write (PATCH, POST)'],
  ['SIGKILL mid-hook', /ms in/, 'SIGKILL some milliseconds into a hook'],
  ['SIGKILL mid-hook', /./, 'SIGKILL at a hook-tool call'],
  ['transient hook-tool failures', / (\S+) fails once/, (m) => `${m[1]} failing once`],
  ['transient hook-tool failures', /^(\S+)/, (m) => `${m[1]} failing once`],
  ['LXD down', /middle of/, 'LXD stopped in the middle of a hook'],
  ['LXD down', /./, 'LXD stopped before a hook'],
  ['reboot', /btrfs/, 'reboot, btrfs pool on a loop file'],
  ['reboot', /lvm/, 'reboot, lvm pool on loop files'],
  ['reboot', /./, 'reboot, dir pool'],
  ['disk and package faults', /package/, 'a package install failing'],
  ['disk and package faults', /directory full/, 'the charm directory full'],
  ['disk and package faults', /loop file/, "a pool's loop file gone"],
  ['operations in order', /killed/, 'an action after a killed hook'],
  ['operations in order', /./, 'an action queued during a hook'],
];

function kindOf(category, title) {
  for (const [cat, pattern, kind] of KIND_RULES) {
    if (cat !== category) continue;
    const m = pattern.exec(title);
    if (m) return typeof kind === 'function' ? kind(m) : kind;
  }
  return category;
}

class ReliabilityReporter {
  onRunComplete(_contexts, results) {
    const rows = new Map();
    for (const file of results.testResults) {
      if (!file.testFilePath.includes(SUITE_DIR)) continue;
      if (file.testExecError) {
        // a file that failed to load is one failed case, not a silent zero
        rows.set(`${path.basename(file.testFilePath)} (did not run)`, { tried: 1, passed: 0, skipped: 0, kinds: new Set(['a file that did not load']) });
      }
      for (const c of file.testResults) {
        const category = c.ancestorTitles[0] ?? path.basename(file.testFilePath);
        const row = rows.get(category) ?? { tried: 0, passed: 0, skipped: 0, kinds: new Set() };
        if (c.status === 'passed' || c.status === 'failed') row.kinds.add(kindOf(category, c.title));
        if (c.status === 'passed') { row.tried += 1; row.passed += 1; }
        else if (c.status === 'failed') row.tried += 1;
        else row.skipped += 1;
        rows.set(category, row);
      }
    }
    if (rows.size === 0) return;
    const lines = ['', 'Reliability suite', '| Category | Fault kinds tried | Cases tried | Cases passed | Skipped |', '|---|---|---|---|---|'];
    let passed = 0;
    let failed = 0;
    const kinds = new Set();
    for (const [category, row] of rows) {
      lines.push(`| ${category} | ${row.kinds.size} | ${row.tried} | ${row.passed} | ${row.skipped} |`);
      for (const kind of row.kinds) kinds.add(`${category}: ${kind}`);
      passed += row.passed;
      failed += row.tried - row.passed;
    }
    lines.push('', `Fault kinds tried (${kinds.size}):`, ...[...kinds].map((k) => `- ${k}`));
    lines.push('', `${passed} passed, ${failed} failed`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

module.exports = ReliabilityReporter;
