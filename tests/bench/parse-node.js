// SPDX-License-Identifier: MIT
// The baseline parser: azure-pipelines-task-lib's own commandFromString, run
// over every line of a log of logging commands.
//
//   node parse-node.js NPM_PREFIX FILE
//
// NPM_PREFIX is the directory whose node_modules holds azure-pipelines-task-lib
// (tests/node, after tests/node/install.sh).  The file is read in 1 MiB chunks, split at "\n" (a "\r"
// before it is dropped), and every non-empty line is handed to
// commandFromString, as a task library consumer reading a log would.  Prints
// "lines=N seconds=S checksum=C" (S measured inside Node, start-up excluded;
// the benchmark uses the wall time of the whole process).
'use strict';
const fs = require('fs');
const path = require('path');
const { StringDecoder } = require('string_decoder');

const [prefix, file] = process.argv.slice(2);
if (!prefix || !file) {
  console.error('usage: node parse-node.js NPM_PREFIX FILE');
  process.exit(2);
}
const { commandFromString } = require(path.join(prefix, 'node_modules', 'azure-pipelines-task-lib', 'taskcommand'));

const started = process.hrtime.bigint();
const fd = fs.openSync(file, 'r');
const buf = Buffer.allocUnsafe(1 << 20);
const decoder = new StringDecoder('utf8');
let rest = '';
let lines = 0;
let checksum = 0;

function line(s) {
  if (s.endsWith('\r')) s = s.slice(0, -1);
  if (!s.length) return;
  const cmd = commandFromString(s);
  // use the result, so that nothing can be optimised away
  checksum = (checksum + cmd.command.length + (cmd.properties.variable || '').length + cmd.message.length) | 0;
  lines++;
}

for (;;) {
  const n = fs.readSync(fd, buf, 0, buf.length, null);
  if (n === 0) break;
  const s = rest + decoder.write(buf.subarray(0, n));
  let start = 0;
  let nl;
  while ((nl = s.indexOf('\n', start)) >= 0) {
    line(s.substring(start, nl));
    start = nl + 1;
  }
  rest = s.substring(start);
}
rest += decoder.end();
if (rest.length) line(rest);
fs.closeSync(fd);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`lines=${lines} seconds=${seconds.toFixed(6)} checksum=${checksum}`);
