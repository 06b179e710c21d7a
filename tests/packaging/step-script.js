// SPDX-License-Identifier: MIT
// Prints the script of one `bash` step of an Azure Pipelines template, so that
// a test can run it as the agent would (with the step's env set by the test).
//
//   node step-script.js NODE_PREFIX TEMPLATE DISPLAYNAME_PREFIX
//
// The step is the one whose displayName starts with DISPLAYNAME_PREFIX, looked
// for through conditional insertions (`${{ if ... }}:`) too.  Exits 1 when
// there is no such step, or more than one.
'use strict';
const fs = require('fs');
const path = require('path');

const [prefix, template, wanted] = process.argv.slice(2);
if (!prefix || !template || !wanted) {
  console.error('usage: node step-script.js NODE_PREFIX TEMPLATE DISPLAYNAME_PREFIX');
  process.exit(2);
}
const yaml = require(path.resolve(prefix, 'node_modules', 'js-yaml'));
const found = [];
(function walk(node) {
  if (Array.isArray(node)) return node.forEach(walk);
  if (!node || typeof node !== 'object') return;
  if (typeof node.bash === 'string' && String(node.displayName || '').startsWith(wanted)) found.push(node.bash);
  Object.values(node).forEach(walk);
})(yaml.load(fs.readFileSync(template, 'utf8')));
if (found.length !== 1) {
  console.error(`step-script.js: ${found.length} bash steps of ${template} have a displayName starting '${wanted}'`);
  process.exit(1);
}
process.stdout.write(found[0]);
