/**
 * curl fidelity: of the corpus of pasted curl commands (test/fixtures/curl-corpus.ts), how many
 * porthole sends byte for byte as curl 7.88.1 does, to one loopback capture server, after the
 * normalising described in test/helpers/curl-wire.ts. Prints `N of M identical (P%)` and each
 * difference by entry. Needs curl and bash; opens only loopback and a temporary directory.
 *
 * Run: node --import tsx bench/curl-fidelity.ts
 */
import {spawnSync} from 'node:child_process';
import {corpus} from '../test/fixtures/curl-corpus.js';
import {fidelityReport, openWire, type Comparison} from '../test/helpers/curl-wire.js';

if (spawnSync('curl', ['--version'], {stdio: 'ignore'}).status !== 0) {
  console.error('curl-fidelity needs curl on the PATH');
  process.exit(1);
}

const version = /^curl (\S+)/.exec(spawnSync('curl', ['--version']).stdout.toString())?.[1];
const wire = await openWire();
const comparisons: Comparison[] = [];
try {
  for (const entry of corpus) comparisons.push(await wire.compare(entry));
} finally {
  await wire.close();
}
console.log(`curl ${version ?? '?'} against porthole, ${corpus.length} pasted commands`);
console.log(fidelityReport(comparisons));
