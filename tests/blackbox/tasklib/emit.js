// SPDX-License-Identifier: MIT
// Prints task.setvariable lines with the real azure-pipelines-task-lib, and
// writes what it set to the file named by argv[3] (values base64-encoded).
// usage: node emit.js TASKLIB_DIR EXPECTED.json
const path = require('path');
const fs = require('fs');
const tl = require(path.join(process.argv[2], 'node_modules', 'azure-pipelines-task-lib', 'task'));

const cases = [
  { name: 'semicolon', value: 'a;b;c', secret: false, output: true },
  { name: 'bracket', value: 'x]y[z]', secret: false, output: true },
  { name: 'percent', value: '100% of %3B and %AZP25 and %25', secret: false, output: true },
  { name: 'crlf', value: 'line1\r\nline2\rline3\nend', secret: false, output: true },
  { name: 'unicode', value: 'é ü 中文 😀 \u00a0nbsp', secret: false, output: true },
  { name: 'matrix', value: '{ "leg": { "imageBuilderPaths": "--path a;b", "legName": "x]y" }}', secret: false, output: true },
  { name: 'notOutput', value: 'plain', secret: false, output: false },
  { name: 'empty', value: '', secret: false, output: true },
  { name: 'Name.With.Dots and spaces', value: 'v', secret: false, output: true },
  { name: 'weird;name]', value: 'w', secret: false, output: true },
  { name: 'sec', value: 'p@ss;w]rd%', secret: true, output: true },
];
for (const c of cases) tl.setVariable(c.name, c.value, c.secret, c.output);
fs.writeFileSync(process.argv[3], JSON.stringify(cases.map(c => ({
  name: c.name, value: Buffer.from(c.value, 'utf8').toString('base64'), secret: c.secret, output: c.output,
}))));
