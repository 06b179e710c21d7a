// SPDX-License-Identifier: MIT
// Compares vsorelay's reading (replay --format json) with what task-lib set.
// usage: node check.js EXPECTED.json REPLAY.jsonl ; prints one line per mismatch, exits 1 if any.
const fs = require('fs');
const expected = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const seen = fs.readFileSync(process.argv[3], 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l))
  .filter(c => c.area === 'task' && c.event === 'setvariable');
const prop = (c, key) => { for (const k of Object.keys(c.properties)) if (k.toLowerCase() === key) return c.properties[k]; };
const bool = v => typeof v === 'string' && v.trim().toLowerCase() === 'true';
let bad = 0;
const fail = msg => { bad++; console.log('MISMATCH: ' + msg); };
if (seen.length !== expected.length) fail(`expected ${expected.length} setvariable commands, saw ${seen.length}`);
expected.forEach((e, i) => {
  const c = seen[i];
  if (!c) return;
  const value = Buffer.from(e.value, 'base64').toString('utf8');
  if (prop(c, 'variable') !== e.name) fail(`#${i}: name ${JSON.stringify(prop(c, 'variable'))} != ${JSON.stringify(e.name)}`);
  if (bool(prop(c, 'isoutput')) !== e.output) fail(`#${i} ${e.name}: isOutput`);
  if (bool(prop(c, 'issecret')) !== e.secret) fail(`#${i} ${e.name}: issecret`);
  const want = e.secret ? '***' : value;
  if (c.data !== want) fail(`#${i} ${e.name}: value ${JSON.stringify(c.data)} != ${JSON.stringify(want)}`);
});
console.log(`checked ${expected.length} variables, ${bad} mismatches`);
process.exit(bad ? 1 : 0);
