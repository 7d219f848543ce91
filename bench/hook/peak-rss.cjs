// Loaded with NODE_OPTIONS=--require by bench/hook/driver.mjs for its memory runs (never the timed
// ones): at exit, appends this process's peak resident set size (VmHWM, kB) to $BENCH_PEAK_RSS_FILE.
'use strict';
const { appendFileSync, readFileSync } = require('node:fs');

process.on('exit', () => {
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  if (kb && process.env.BENCH_PEAK_RSS_FILE) appendFileSync(process.env.BENCH_PEAK_RSS_FILE, `${kb}\n`);
});
