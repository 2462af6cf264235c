// Adds up the vitest JSON reports of every project into one closing line, after naming every
// failed test with the start of its message: CI keeps only the tail of the log, so what failed
// has to be said here, at the end.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const dir = process.argv[2];
let passed = 0, failed = 0, skipped = 0, files = 0;
const failures = [];
for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const report = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  const project = name.replace(/\.json$/, '');
  files++;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  console.log(`  ${project.padEnd(10)} ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
  for (const file of report.testResults ?? []) {
    const tests = file.assertionResults ?? [];
    for (const test of tests.filter((t) => t.status === 'failed')) failures.push({ project, file: basename(file.name), title: test.fullName, message: test.failureMessages?.[0] });
    // A file that failed before any test ran (an import or a hook) has no failed test to name.
    if (file.status === 'failed' && !tests.some((t) => t.status === 'failed')) failures.push({ project, file: basename(file.name), title: '(the file itself)', message: file.message });
  }
}
if (files === 0) {
  console.error('no test reports found: no test ran');
  process.exit(1);
}
for (const { project, file, title, message } of failures) {
  console.log(`FAILED ${project} ${file} > ${title}`);
  if (message) console.log(`  ${String(message).split('\n').slice(0, 8).join('\n  ').slice(0, 1_500)}`);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || failures.length > 0 ? 1 : 0);
