/**
 * Reads node:test's TAP: counts the results and checks them against what the runner itself said.
 *
 * Leaf tests are counted (a suite, `type: 'suite'` in its YAML, is not a test; a test with subtests
 * is, as node counts it). A count alone cannot be trusted: a report cut short (--test-force-exit
 * ending the process before the reporter flushed its file), or a test file that exited before its
 * results arrived (node then reports the file itself as one passing test), silently counts fewer.
 * So `checkTap` also compares the counts with the run's closing summary (`# tests`, `# pass`,
 * `# fail`, `# cancelled`, `# skipped`, `# todo`) and the top-level plan (`1..N`), and names what
 * does not add up.
 */

const RESULT = /^(\s*)(not ok|ok) (\d+) - (.*?)(?: # (SKIP|TODO)\b.*)?$/;

/** Each result line with its nesting, name, outcome and whether it is a suite. */
function results(lines) {
  const out = [];
  lines.forEach((line, i) => {
    const m = RESULT.exec(line);
    if (!m) return;
    const indent = m[1].length;
    let suite = false;
    for (let j = i + 1; j < lines.length && j < i + 40; j++) {
      if (lines[j].trim() === '...') break;
      if (RESULT.test(lines[j]) && lines[j].search(/\S/) <= indent) break;
      if (/^\s*type: 'suite'/.test(lines[j])) suite = true;
    }
    out.push({ indent, ok: m[2] === 'ok', name: m[4], directive: m[5] ?? null, suite });
  });
  return out;
}

/** Passed and failed leaf tests (skipped and todo tests are neither). */
export function countTap(text) {
  let passed = 0;
  let failed = 0;
  for (const r of results(text.split('\n'))) {
    if (r.suite || r.directive) continue;
    if (r.ok) passed++;
    else failed++;
  }
  return { passed, failed };
}

/** The closing summary node:test prints (`# tests 5` ...), or null when the report has none. */
export function tapSummary(text) {
  const summary = {};
  for (const m of text.matchAll(/^# (tests|suites|pass|fail|cancelled|skipped|todo) (\d+)\s*$/gm)) summary[m[1]] = Number(m[2]);
  return 'tests' in summary ? summary : null;
}

/**
 * Counts one test file's report and lists what is wrong with it: `file` is the path that was run
 * (node names a file whose own results never arrived after that path).
 */
export function checkTap(text, file) {
  const lines = text.split('\n');
  const all = results(lines);
  const { passed, failed } = countTap(text);
  const problems = [];
  const summary = tapSummary(text);
  if (!summary) {
    problems.push(`${file}: the report ends before node:test's summary (# tests ...): its output was cut short after ${all.length} results`);
  } else {
    const skipped = all.filter((r) => !r.suite && r.directive === 'SKIP').length;
    const todo = all.filter((r) => !r.suite && r.directive === 'TODO').length;
    const counted = { tests: passed + failed + skipped + todo, pass: passed, fail: failed, skipped, todo };
    const said = {
      tests: summary.tests,
      pass: summary.pass ?? 0,
      fail: (summary.fail ?? 0) + (summary.cancelled ?? 0),
      skipped: summary.skipped ?? 0,
      todo: summary.todo ?? 0,
    };
    const off = Object.keys(counted).filter((k) => counted[k] !== said[k]);
    if (off.length > 0) {
      problems.push(`${file}: the summary says ${off.map((k) => `${said[k]} ${k}`).join(', ')} but the report holds ${off.map((k) => `${counted[k]}`).join(', ')}: results are missing from its output`);
    }
  }
  const top = all.filter((r) => r.indent === 0);
  const plan = lines.map((l) => /^1\.\.(\d+)\s*$/.exec(l)).find(Boolean);
  if (summary && !plan) problems.push(`${file}: no top-level plan (1..N) in the report`);
  if (plan && Number(plan[1]) !== top.length) problems.push(`${file}: planned ${plan[1]} top-level results, reported ${top.length}`);
  const base = file.split(/[\\/]/).pop();
  const stand = top.find((r) => r.name === file || (base && r.name.endsWith(`/${base}`)));
  if (stand && top.length === 1 && all.length === 1) {
    problems.push(
      `${file}: no test of its own reported: node stood in a result for the whole file (${stand.ok ? 'ok' : 'not ok'}), so it has no tests, exited before its results arrived (process.exit, a crash) or was stopped (a timeout)`,
    );
  }
  return { passed, failed, problems };
}
