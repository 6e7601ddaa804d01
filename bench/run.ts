/**
 * `npm run bench`: porthole beside the tools a person would otherwise run, each figure taken with
 * its peer in the same run, printed as the README's table (ratios; medians of several runs).
 * Bounded: it opens its own loopback connections, closes them, and stops by itself (about 14
 * minutes on a 2-core machine). Needs htop, ss (iproute2), curl, watch (procps), tmux and script.
 *
 * Run on a quiet machine: every figure is CPU or wall time, and another busy program skews both.
 * `npm run bench -- --quick` takes one run of each CPU figure instead of three.
 */
import {spawnSync} from 'node:child_process';
import os from 'node:os';
import {benchSockets, printTable, startHolders, stopHolders} from './sockets.js';
import {
  busyCost,
  idleCost,
  jsonRun,
  startUp,
  type JsonRun,
  underLoad,
  type CpuSideBySide,
} from './dashboard.js';
import {fleetCost, fleetRows, fleetSummary, type FleetResult} from './fleet.js';
import {streamsCost, streamsRows} from './streams.js';
import {startRows} from './start.js';
import {canMakeHosts, cannotMakeHostsReason} from '../test/helpers/ssh-hosts.js';
import {
  phaseVerdicts,
  requestTimings,
  reuseTimings,
  type Phases,
  type TlsPhases,
} from './request.js';

const pairs = 5000;
const quick = process.argv.includes('--quick');
const cpuRuns = quick ? 1 : 3;

const needed = ['htop', 'ss', 'curl', 'watch', 'tmux', 'script'];
const missing = needed.filter(
  (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], {stdio: 'ignore'}).status !== 0,
);
if (missing.length > 0) {
  console.error(
    `bench: needs ${missing.join(', ')} (Debian: apt-get install htop iproute2 curl procps tmux bsdutils)`,
  );
  process.exit(2);
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
const mib = (value: number) => `${value.toFixed(0)} MiB`;
const times = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : '—');
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const cpus = os.cpus();
console.log(
  `porthole benchmark, ${new Date().toISOString()}\n` +
    `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'}), ` +
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${os.release()}, node ${process.version}\n`,
);

/** Several side-by-side CPU windows; the median of each side (taken from the same runs). */
async function cpuMedian(
  label: string,
  measure: () => Promise<CpuSideBySide>,
): Promise<CpuSideBySide> {
  const runs: CpuSideBySide[] = [];
  for (let run = 0; run < cpuRuns; run++) {
    const result = await measure();
    console.log(
      `  ${label} run ${run + 1}: porthole ${ms(result.portholeMs)}, peer ${ms(result.peerMs)} over ${result.seconds} s, RSS ${mib(result.rssMiB)}`,
    );
    runs.push(result);
  }
  return {
    seconds: runs[0]!.seconds,
    portholeMs: median(runs.map((run) => run.portholeMs)),
    peerMs: median(runs.map((run) => run.peerMs)),
    rssMiB: median(runs.map((run) => run.rssMiB)),
    sockets: runs[0]!.sockets,
  };
}

console.log('1/9 start-up to the first frame, against node -e 0, in a pseudo-terminal');
const start = await startUp(10);
let startTable: string[][] = [];

console.log('2/9 idle: CPU over 30 s at a 1 s interval, against htop -d 10, same window');
const idle = await cpuMedian('idle', () => idleCost(30));

console.log(
  `3/9 ${pairs * 2} sockets held, then changing, --all at 1 s, against watch -n 1 ss -tanp`,
);
const held = await cpuMedian('held', () => busyCost(pairs, false, 20));
const busy = await cpuMedian('changing', () => busyCost(pairs, true, 20));

console.log(`4/9 a whole porthole --json run against a whole ss -tanp run, ${pairs * 2} sockets`);
const holders = await startHolders(pairs);
let json: JsonRun;
try {
  json = jsonRun(10);
} finally {
  await stopHolders(holders);
}
startTable = startRows({start, json, sockets: pairs * 2});

console.log(`5/9 the sockets collector against ss and systeminformation, ${pairs * 2} sockets`);
const collector = await benchSockets({pairs});
printTable(collector);

console.log('6/9 and 7/9: the dashboard at 10k and 100k sockets: RSS and key latency');
const load10k = await underLoad(pairs, 1000, 20);
const load100k = await underLoad(50_000);

console.log(
  '8/9 a GET to a loopback server, phase by phase: porthole request, the dashboard engine, curl -w',
);
const request = await requestTimings(quick ? 9 : 21);
console.log(
  '9/9 HTTP/2 over TLS and reused connections: porthole beside curl --http2 and curl URL URL',
);
const reuse = await reuseTimings(quick ? 9 : 21);

console.log(
  '10/10 the fleet: 10 SSH hosts polled every second beside ssh HOST ss -tuanp, same masters',
);
let fleet: FleetResult | undefined;
if (canMakeHosts) fleet = await fleetCost();
else console.log(`  skipped: ${cannotMakeHostsReason}`);

console.log(
  '11/11 streams: a WebSocket echo through porthole request and a flood into the pane, beside a bare ws client',
);
const streams = await streamsCost(100_000);

/** Figure 9: totals beside curl's for the same URL, at most 1 ms more. */
function totalRow(label: string, porthole: TlsPhases, curl: TlsPhases, peer: string): string[] {
  return [
    `9 ${label} (median of ${reuse.runs})`,
    `${ms(porthole.total)} (tls ${ms(porthole.tls)}, wait ${ms(porthole.wait)})`,
    `${peer}: ${ms(curl.total)}`,
    times(porthole.total, curl.total),
    `at most 1 ms more: ${verdict(porthole.total - curl.total <= 1)}`,
  ];
}

/** Figure 8: one row per phase, porthole's median beside curl's, each with its target. */
function requestRows(label: string, porthole: Phases): string[][] {
  return phaseVerdicts(porthole, request.curl).map(({phase, porthole: ours, curl, met}) => [
    `8 ${label}: ${phase} (median of ${request.runs})`,
    ms(ours),
    `\`curl -w\`: ${ms(curl)}`,
    `${ours >= curl ? '+' : ''}${ms(ours - curl)}`,
    `at most ${phase === 'total' ? '1 ms' : '0.3 ms'} more: ${verdict(met)}`,
  ]);
}

const rows: string[][] = [
  ['Figure', 'porthole', 'peer, same run', 'ratio', 'target'],
  ...startTable.filter((row) => row[0]!.startsWith('1 ')),
  [
    `2 idle: CPU over ${idle.seconds} s at 1 s`,
    ms(idle.portholeMs),
    `\`htop -d 10\`: ${ms(idle.peerMs)}`,
    times(idle.portholeMs, idle.peerMs),
    `≤ 1x: ${verdict(idle.portholeMs <= idle.peerMs)}`,
  ],
  [
    `3 ${held.sockets} sockets held open: CPU over ${held.seconds} s at 1 s, all shown`,
    ms(held.portholeMs),
    `\`watch -n 1 ss -tanp\`: ${ms(held.peerMs)}`,
    times(held.portholeMs, held.peerMs),
    `≤ 0.5x: ${verdict(held.portholeMs <= held.peerMs / 2)}`,
  ],
  [
    `3 the same, with traffic and 10 new connections a second`,
    ms(busy.portholeMs),
    `\`watch -n 1 ss -tanp\`: ${ms(busy.peerMs)}`,
    times(busy.portholeMs, busy.peerMs),
    `≤ 0.5x: ${verdict(busy.portholeMs <= busy.peerMs / 2)}`,
  ],
  ...startTable.filter((row) => row[0]!.startsWith('4 ')),
  [
    `5 sockets collector, steady poll, ${collector.sockets} sockets`,
    `${ms(collector.steady.wallMs)} wall, ${ms(collector.steady.cpuMs)} CPU`,
    `\`networkConnections()\`: ${ms(collector.systeminformation.wallMs)} wall`,
    times(collector.steady.wallMs, collector.systeminformation.wallMs),
    `≤ 0.2x: ${verdict(collector.steady.wallMs <= collector.systeminformation.wallMs / 5)}`,
  ],
  ['6 RSS, idle', mib(idle.rssMiB), '', '', `< 80 MiB: ${verdict(idle.rssMiB < 80)}`],
  [`6 RSS, ${load10k.sockets} sockets`, mib(load10k.rssMiB), '', '', ''],
  [
    `6 RSS, ${load100k.sockets} sockets`,
    `${mib(load100k.rssMiB)} median, ${mib(load100k.rssPeakMiB)} peak`,
    '',
    '',
    `< 150 MiB: ${verdict(load100k.rssPeakMiB < 150)}`,
  ],
  [
    `7 key to screen, ${load100k.sockets} sockets, polled every second`,
    `${ms(load100k.keyLatency.median)} median, ${ms(load100k.keyLatency.p90)} p90, ${ms(load100k.keyLatency.p99)} p99`,
    '',
    '',
    `p99 < 50 ms: ${verdict(load100k.keyLatency.p99 < 50)} (${load100k.pollMsNote})`,
  ],
  ...requestRows('one-shot `porthole request`', request.oneShot),
  ...requestRows("the dashboard's first request", request.dashboardFirst),
  ...requestRows("the dashboard's tenth request", request.dashboardTenth),
  totalRow(
    'h2 over TLS, one-shot `porthole request -k --http2`',
    reuse.h2OneShot,
    reuse.h2Curl,
    '`curl -k --http2`',
  ),
  totalRow(
    "h2 over TLS, the engine's first request",
    reuse.h2EngineFirst,
    reuse.h2Curl,
    '`curl -k --http2`',
  ),
  totalRow(
    "h2 over TLS, the engine's tenth (new connection)",
    reuse.h2EngineTenth,
    reuse.h2Curl,
    '`curl -k --http2`',
  ),
  totalRow(
    'h2, a reused connection',
    reuse.h2EngineReused,
    reuse.h2CurlReused,
    '`curl URL URL`, 2nd',
  ),
  totalRow(
    'HTTP/1.1, a reused connection',
    reuse.http1EngineReused,
    reuse.http1CurlReused,
    '`curl URL URL`, 2nd',
  ),
  ...(fleet ? fleetRows(fleet) : []),
  ...streamsRows(streams),
];

console.log(
  '\n' +
    rows
      .map((row) => `| ${row.join(' | ')} |`)
      .join('\n')
      .replace(/^(\|[^\n]*\n)/, `$1|${' --- |'.repeat(5)}\n`),
);
console.log(
  `\nalso: key to screen at ${load10k.sockets} sockets ${ms(load10k.keyLatency.median)} median, ` +
    `${ms(load10k.keyLatency.p90)} p90, ${ms(load10k.keyLatency.p99)} p99; collector cold ${ms(collector.cold.wallMs)}, ` +
    `after ${collector.churn.churnPairs} new pairs ${ms(collector.churn.wallMs)}; ` +
    `a bare Node program reading the tables and every fd link ${ms(json.nodeFloor.median)} ` +
    `(${times(json.nodeFloor.median, json.ss.median)} of ss -tanp)`,
);
if (fleet) console.log(fleetSummary(fleet));
