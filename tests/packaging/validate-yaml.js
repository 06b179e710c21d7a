// SPDX-License-Identifier: MIT
// Validates Azure Pipelines YAML files against the official schema
// (tests/data/azure-pipelines/service-schema.json) with Microsoft's own
// validator, the npm package azure-pipelines-language-service, as the
// Azure Pipelines extension for VS Code does.
//
//   node validate-yaml.js NODE_PREFIX SCHEMA FILE...
//
// NODE_PREFIX is the directory whose node_modules holds the package
// (tests/node after tests/node/install.sh).  Prints one line per file, "ok FILE"
// or "FAIL FILE" followed by each problem as FILE:LINE:COLUMN: message; exits 1
// when any file has a problem (an empty document counts as one), 2 on a usage error.
'use strict';
const fs = require('fs');
const path = require('path');
const url = require('url');

const [prefix, schemaPath, ...files] = process.argv.slice(2);
if (!prefix || !schemaPath || files.length === 0) {
  console.error('usage: node validate-yaml.js NODE_PREFIX SCHEMA FILE...');
  process.exit(2);
}
const service = require(path.resolve(prefix, 'node_modules', 'azure-pipelines-language-service'));
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
const schemaUri = url.pathToFileURL(path.resolve(schemaPath)).href;

// The package traces schema lookups with console.log: keep our stdout to the verdicts.
const quietly = async (fn) => {
  const log = console.log;
  console.log = () => {};
  try {
    return await fn();
  } finally {
    console.log = log;
  }
};

const languageService = service.getLanguageService(() => Promise.resolve(schema), [], null);
languageService.configure({ validate: true, schemas: [{ uri: schemaUri, fileMatch: ['*'], schema }] });

async function problemsOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  const document = service.TextDocument.create(url.pathToFileURL(path.resolve(file)).href, 'azure-pipelines', 1, text);
  const yaml = service.parse(text);
  const problems = (await quietly(() => languageService.doValidation(document, yaml))).map((d) =>
    `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`);
  if (yaml.documents.length === 0 || yaml.documents.every((d) => !d.root)) problems.push(`${file}: empty document`);
  return problems;
}

(async () => {
  let failed = 0;
  for (const file of files) {
    const problems = await problemsOf(file);
    console.log(`${problems.length ? 'FAIL' : 'ok'} ${file}`);
    for (const p of problems) console.log(`  ${p}`);
    if (problems.length) failed++;
  }
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.error(`validate-yaml.js: ${e.stack || e}`);
  process.exit(2);
});
