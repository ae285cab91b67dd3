/**
 * Counts leaf tests in node:test's TAP. The closing `# pass N` lines can't be trusted: --test-force-exit
 * ends the run before the reporter writes them. Suites (`type: 'suite'` in their YAML) are not tests.
 */
export function countTap(text) {
  const lines = text.split('\n');
  let passed = 0;
  let failed = 0;
  lines.forEach((line, i) => {
    const m = /^\s*(not ok|ok) \d+ - .*?(# (SKIP|TODO)\b.*)?$/.exec(line);
    if (!m || m[2]) return;
    const indent = line.search(/\S/);
    let suite = false;
    for (let j = i + 1; j < lines.length && j < i + 40; j++) {
      if (lines[j].trim() === '...') break;
      if (/^\s*(not ok|ok) \d+ /.test(lines[j]) && lines[j].search(/\S/) <= indent) break;
      if (/^\s*type: 'suite'/.test(lines[j])) suite = true;
    }
    if (suite) return;
    if (m[1] === 'ok') passed++;
    else failed++;
  });
  return { passed, failed };
}
