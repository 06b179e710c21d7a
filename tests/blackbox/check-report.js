// SPDX-License-Identifier: MIT
// Validates a vsorelay --report file against the schema of README.md ("Reports"),
// strictly: every documented key present with its type, no other key.
// Usage: node check-report.js REPORT [run|replay]
// Prints one line per problem and exits 1 on any; exits 0 and prints "ok".
'use strict';
const fs = require('fs');

const [, , file, wantMode] = process.argv;
if (!file) {
  console.error('usage: node check-report.js REPORT [run|replay]');
  process.exit(2);
}

const problems = [];
const bad = (where, what) => problems.push(`${where}: ${what}`);

let report;
try {
  report = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (e) {
  console.error(`${file}: not JSON: ${e.message}`);
  process.exit(1);
}

// Type names: 'string', 'integer', 'number', 'boolean', 'array', 'object',
// a '|null' suffix allows null; a function validates the value itself.
function typeOk(value, type) {
  const nullable = type.endsWith('|null');
  const base = nullable ? type.slice(0, -5) : type;
  if (value === null) return nullable;
  switch (base) {
    case 'string': return typeof value === 'string';
    case 'integer': return Number.isInteger(value);
    case 'count': return Number.isInteger(value) && value >= 0;
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    case 'array': return Array.isArray(value);
    case 'object': return typeof value === 'object' && !Array.isArray(value);
    default: throw new Error(`unknown type ${type}`);
  }
}

// shape: { key: type | [type, validate(value, where)] }
function checkObject(obj, shape, where) {
  if (!typeOk(obj, 'object')) return bad(where, 'not an object');
  for (const key of Object.keys(obj))
    if (!(key in shape)) bad(where, `undocumented key "${key}"`);
  for (const [key, spec] of Object.entries(shape)) {
    const [type, validate] = Array.isArray(spec) ? spec : [spec, null];
    if (!(key in obj)) {
      bad(where, `missing key "${key}"`);
      continue;
    }
    if (!typeOk(obj[key], type)) {
      bad(`${where}.${key}`, `expected ${type}, got ${JSON.stringify(obj[key])}`);
      continue;
    }
    if (validate && obj[key] !== null) validate(obj[key], `${where}.${key}`);
  }
}

const arrayOf = (type) => (arr, where) =>
  arr.forEach((v, i) => {
    if (!typeOk(v, type)) bad(`${where}[${i}]`, `expected ${type}, got ${JSON.stringify(v)}`);
  });
const arrayOfObjects = (shape) => (arr, where) => arr.forEach((v, i) => checkObject(v, shape, `${where}[${i}]`));
const oneOf = (...allowed) => (v, where) => {
  if (!allowed.includes(v)) bad(where, `${JSON.stringify(v)} is not one of ${allowed.join(', ')}`);
};

const STATUSES = ['met', 'missing', 'not-output', 'empty', 'rejected', 'invalid', 'cut', 'unreadable'];
const SOURCES = ['expect', 'expect-file', 'manifest', 'imagebuilder-arguments', 'announcement'];
const DIAG_KINDS = ['not-a-command', 'unknown-area', 'unknown-event', 'restricted', 'not-settable', 'no-name',
  'multi-line-secret', 'too-long', 'cut', 'other'];
const VERDICTS = ['passed', 'expectations-failed', 'command-failed', 'timed-out', 'stopped-by-signal',
  'spawn-failed', 'vsorelay-failed'];

const schema = {
  schema: ['string', oneOf('vsorelay-report/2')],
  version: 'string',
  mode: ['string', oneOf('run', 'replay')],
  command: ['array', arrayOf('string')],
  attempts: 'count',
  child: ['object|null', (v, w) => checkObject(v, {
    exited: 'boolean', exitStatus: 'integer|null', termSignal: 'integer|null',
  }, w)],
  timedOut: 'boolean',
  outputTruncated: 'boolean',
  stoppedBySignal: 'integer|null',
  durationSeconds: ['number', (v, w) => { if (v < 0) bad(w, 'negative'); }],
  streams: ['array', arrayOfObjects({ name: 'string', bytes: 'count', lines: 'count' })],
  commands: ['object', (obj, w) => {
    for (const [k, v] of Object.entries(obj)) if (!typeOk(v, 'count')) bad(`${w}["${k}"]`, 'not a count');
  }],
  setvariables: ['array', arrayOfObjects({
    name: 'string|null', source: 'string', line: 'count', isOutput: 'boolean', isSecret: 'boolean',
    isReadOnly: 'boolean', valueLength: 'count', rejected: 'boolean', legs: ['array|null', arrayOf('string')],
  })],
  expected: ['array', arrayOfObjects({
    name: 'string',
    sources: ['array', (arr, w) => arr.forEach((v, i) => oneOf(...SOURCES)(v, `${w}[${i}]`))],
    required: 'boolean',
    standsFor: ['array', arrayOfObjects({
      dockerfile: 'string', osType: 'string|null', osVersion: 'string|null', architecture: 'string|null',
    })],
    matrix: 'boolean', status: ['string', oneOf(...STATUSES)], reason: 'string|null',
    source: 'string|null', line: 'count|null', legs: ['array|null', arrayOf('string')],
  })],
  missing: ['array', arrayOf('string')],
  invalid: ['array', arrayOf('string')],
  diagnostics: ['array', arrayOfObjects({
    severity: ['string', oneOf('error', 'warning')], source: 'string', line: 'count|null', message: 'string',
  })],
  diagnosticCounts: ['object', (v, w) => Object.entries(v).forEach(([k, n]) => {
    if (!DIAG_KINDS.includes(k)) bad(`${w}.${k}`, 'not a kind of diagnostic');
    if (!typeOk(n, 'count')) bad(`${w}.${k}`, `expected count, got ${JSON.stringify(n)}`);
  })],
  diagnosticsOmitted: 'count',
  manifest: ['object|null', (v, w) => checkObject(v, {
    matrices: ['array', arrayOfObjects({
      name: 'string',
      platforms: ['array', arrayOfObjects({
        dockerfile: 'string', osType: 'string', osVersion: 'string', architecture: 'string',
      })],
    })],
    warnings: ['array', arrayOf('string')],
  }, w)],
  imageBuilder: ['object|null', (v, w) => checkObject(v, {
    arguments: ['array', arrayOf('string')], manifest: 'string', used: 'boolean', note: 'string|null',
  }, w)],
  upperBound: 'string|null',
  announcement: ['object|null', (v, w) => checkObject(v, {
    seen: 'boolean', listings: 'count', complete: 'boolean',
    matrices: ['array', arrayOfObjects({
      name: 'string', source: 'string', line: 'count',
      legs: ['array', arrayOfObjects({
        name: 'string', dockerfiles: ['array', arrayOf('string')], architecture: 'string|null',
      })],
      arrived: 'boolean', arrivedLegs: ['array|null', arrayOf('string')],
      missingLegs: ['array|null', arrayOf('string')], unexpectedLegs: ['array|null', arrayOf('string')],
    })],
  }, w)],
  unchecked: 'string|null',
  verdict: ['string', oneOf(...VERDICTS)],
  exitCode: 'integer',
};

checkObject(report, schema, '$');

// Cross-checks between keys.
if (problems.length === 0) {
  // an expectation that is not required and never arrived is no failure
  const unmet = report.expected.filter((x) => x.status !== 'met' && (x.required || x.status !== 'missing'));
  const missing = unmet.filter((x) => x.status === 'missing').map((x) => x.name);
  const invalid = unmet.filter((x) => x.status !== 'missing').map((x) => x.name);
  if (JSON.stringify(missing) !== JSON.stringify(report.missing)) bad('$.missing', 'does not match $.expected');
  if (JSON.stringify(invalid) !== JSON.stringify(report.invalid)) bad('$.invalid', 'does not match $.expected');
  for (const x of report.expected) {
    if ((x.status === 'met') !== (x.reason === null)) bad(`$.expected ${x.name}`, 'reason must be null exactly when met');
    if (x.sources.length === 0) bad(`$.expected ${x.name}`, 'no source');
    if (x.sources.includes('announcement') && !x.required) bad(`$.expected ${x.name}`, 'announced but not required');
    if ((x.source === null) !== (x.line === null)) bad(`$.expected ${x.name}`, 'source and line must both be null or not');
  }
  if ((report.mode === 'run') !== (report.child !== null)) bad('$.child', 'must be an object in run mode, null in replay');
  if (report.announcement) {
    for (const m of report.announcement.matrices) {
      const x = report.expected.find((e) => e.name.toLowerCase() === m.name.toLowerCase());
      if (!x || !x.sources.includes('announcement')) bad(`$.announcement ${m.name}`, 'announced but not expected');
    }
  }
  if (report.unchecked !== null && report.verdict === 'passed') bad('$.unchecked', 'set on a passed step');
  if (wantMode && report.mode !== wantMode) bad('$.mode', `expected ${wantMode}`);
}

if (problems.length) {
  for (const p of problems) console.error(`${file}: ${p}`);
  process.exit(1);
}
console.log('ok');
