// SPDX-License-Identifier: MIT
// Every agent_parse vector through `vsorelay replay --format json`.
// usage: node vectors-json.js VSORELAY VECTORS.json WORKDIR ; one line per mismatch, exit 1 if any.
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const [vsorelay, vectorsFile, work] = process.argv.slice(2);
const vectors = JSON.parse(fs.readFileSync(vectorsFile, 'utf8')).agent_parse;
let bad = 0;
const fail = (id, msg) => { bad++; console.log(`MISMATCH ${id}: ${msg}`); };
for (const v of vectors) {
  const file = path.join(work, v.id + '.log');
  fs.writeFileSync(file, v.line + '\n');
  const args = ['replay', '--format', 'json'];
  if (v.decodePercents === false) args.push('--no-decode-percents');
  const out = execFileSync(vsorelay, [...args, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const cmds = out.split('\n').filter(Boolean).map(l => JSON.parse(l));
  const e = v.expect;
  if (!e.isCommand) {
    if (cmds.length !== 0) fail(v.id, `not a command, but replay printed ${cmds.length}`);
    continue;
  }
  if (cmds.length !== 1) { fail(v.id, `expected one command, got ${cmds.length}`); continue; }
  const c = cmds[0];
  if (c.line !== 1) fail(v.id, `line ${c.line}`);
  if (c.area !== e.area) fail(v.id, `area ${JSON.stringify(c.area)} != ${JSON.stringify(e.area)}`);
  if (c.event !== e.event) fail(v.id, `event ${JSON.stringify(c.event)} != ${JSON.stringify(e.event)}`);
  if (JSON.stringify(c.properties) !== JSON.stringify(e.properties))
    fail(v.id, `properties ${JSON.stringify(c.properties)} != ${JSON.stringify(e.properties)}`);
  // a secret's value is never printed: replay shows it as ***
  const want = e.setvariable && e.setvariable.isSecret ? '***' : e.data;
  if (c.data !== want) fail(v.id, `data ${JSON.stringify(c.data)} != ${JSON.stringify(want)}`);
}
console.log(`checked ${vectors.length} agent_parse vectors through replay --format json, ${bad} mismatches`);
process.exit(bad ? 1 : 0);
