/**
 * `npm run bench`: every performance figure of the README, each beside its peer in the same run,
 * printed as the README's table. Bounded: it opens its own loopback connections, closes them, and
 * stops by itself (a few minutes on a 2-core machine).
 */
import {benchSockets, printTable, startHolders, stopHolders, type Cost} from './sockets.js';
import {jsonRun, startUp, underLoad, type Spread} from './dashboard.js';

const pairs = 5000;
const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : '—');
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

console.log(`porthole benchmark, ${new Date().toISOString()}, node ${process.version}\n`);

console.log(`1/4 sockets collector against ss and systeminformation, ${pairs * 2} sockets`);
const collector = await benchSockets({pairs});
printTable(collector);

console.log('\n2/4 start-up to the first frame, against node -e 0, in a pseudo-terminal');
const start = await startUp(10);

console.log(`\n3/4 a whole porthole --json run against a whole ss -tanp run, ${pairs * 2} sockets`);
const holders = await startHolders(pairs);
let json: {porthole: Spread; ss: Spread};
try {
  json = jsonRun(10);
} finally {
  await stopHolders(holders);
}

console.log('\n4/4 the dashboard under load: RSS and key latency at 10k and 100k sockets');
const load10k = await underLoad(pairs);
const load100k = await underLoad(50_000);

const ss = collector.ss;
const cost = (c: Cost | undefined) => (c ? `${ms(c.wallMs)} wall, ${ms(c.cpuMs)} CPU` : '—');
const rows: string[][] = [
  ['Measure', 'porthole', 'peer', 'ratio', 'target'],
  [
    `socket poll, steady (${collector.sockets} sockets)`,
    cost(collector.steady),
    `ss -tanp: ${cost(ss)}`,
    ss ? ratio(collector.steady.wallMs, ss.wallMs) : '—',
    `≤ 0.5x ss: ${verdict(ss !== undefined && collector.steady.wallMs <= ss.wallMs / 2)}`,
  ],
  [
    'socket poll, steady, against systeminformation',
    cost(collector.steady),
    `networkConnections(): ${cost(collector.systeminformation)}`,
    ratio(collector.steady.wallMs, collector.systeminformation.wallMs),
    `≤ 0.2x: ${verdict(collector.steady.wallMs <= collector.systeminformation.wallMs / 5)}`,
  ],
  ['socket poll, cold (empty owner cache)', cost(collector.cold), '', '', ''],
  [
    `whole \`porthole --json\` run (${pairs * 2} sockets)`,
    `${ms(json.porthole.median)} median`,
    `ss -tanp: ${ms(json.ss.median)}`,
    ratio(json.porthole.median, json.ss.median),
    `≤ 1.5x: ${verdict(json.porthole.median <= json.ss.median * 1.5)}`,
  ],
  [
    'first frame painted',
    `${ms(start.firstFrame.median)} median, ${ms(start.firstFrame.p90)} p90`,
    `node -e 0: ${ms(start.nodeBare.median)}`,
    ratio(start.firstFrame.median, start.nodeBare.median),
    `≤ 250 ms: ${verdict(start.firstFrame.median <= 250)}`,
  ],
  [`dashboard RSS, ${load10k.sockets} sockets`, `${load10k.rssMiB.toFixed(0)} MiB`, '', '', ''],
  [
    `dashboard RSS, ${load100k.sockets} sockets`,
    `${load100k.rssMiB.toFixed(0)} MiB median, ${load100k.rssPeakMiB.toFixed(0)} MiB peak`,
    '',
    '',
    `< 150 MiB: ${verdict(load100k.rssMiB < 150)}`,
  ],
  [
    `key to screen (row move, all states), ${load10k.sockets} sockets`,
    `${ms(load10k.keyLatency.median)} median, ${ms(load10k.keyLatency.p90)} p90`,
    '',
    '',
    load10k.pollMsNote,
  ],
  [
    `key to screen (row move, all states), ${load100k.sockets} sockets`,
    `${ms(load100k.keyLatency.median)} median, ${ms(load100k.keyLatency.p90)} p90`,
    '',
    '',
    load100k.pollMsNote,
  ],
];

console.log(
  '\n' +
    rows
      .map((row) => `| ${row.join(' | ')} |`)
      .join('\n')
      .replace(/^(\|[^\n]*\n)/, `$1|${' --- |'.repeat(5)}\n`),
);
