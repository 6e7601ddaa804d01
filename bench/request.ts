/**
 * Request timings beside curl's: the same GET to the same loopback server, phase by phase, as
 * porthole reports them and as `curl -w` does, in the three ways porthole sends a request:
 *
 * - `porthole request` one-shot: the bundled `dist/cli.js`, a process per request, its timings
 *   read from its own `-w` (the same variables as curl's);
 * - the dashboard's engine, first request: a fresh process that imports the bundled engine
 *   lazily, as the dashboard does, awaits warmEngine, and sends (bench/request-engine.mjs);
 * - the dashboard's engine, tenth request in that same process.
 *
 * curl's time_* are moments from the start; the phases compared are the differences between
 * them: dns (time_namelookup), connect (to time_connect), wait (request sent and first byte, to
 * time_starttransfer), download (to time_total) and total. Medians over a bounded number of
 * runs, taken in turns so that a busy moment of the machine falls on every side alike.
 *
 * The server is a child process, so that serving does not share an event loop with a client
 * being measured. It answers every request with the same 2 KiB body.
 *
 * Two more figures, from the same kind of server speaking HTTP/2 over TLS (node:http2, a
 * self-signed certificate; curl -k --http2, porthole -k / insecure):
 *
 * - a new connection: curl beside `porthole request -k --http2` one-shot and the library's
 *   engine (the bundle, warmed) in a fresh process, its first request and its tenth (a new
 *   connection too: what the process pays once is left out); the TLS handshake is a phase of
 *   its own;
 * - a reused connection: the second transfer of `curl URL URL` (one curl process, one
 *   connection) beside the engine's second request through one createConnectionPool(); the
 *   same on the plain HTTP/1.1 server (keep-alive).
 *
 * Run: node --import tsx bench/request.ts [runs] [--dist DIR]   (after npm run build; DIR
 * defaults to dist/ and must hold cli.js and index.js)
 */
import {fork, spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {selfSignedCertificate} from '../test/helpers/tls.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distFlag = process.argv.indexOf('--dist');
const dist =
  distFlag > 0 ? path.resolve(process.argv[distFlag + 1] ?? 'dist') : path.join(root, 'dist');
const cli = path.join(dist, 'cli.js');

const serverSource = `
const http = require('node:http');
const body = Buffer.alloc(2048, 'x');
const server = http.createServer((request, response) => {
  request.resume();
  response.writeHead(200, {'content-type': 'text/plain', 'content-length': body.length});
  response.end(body);
});
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(0), 300000).unref();
`;

const secureServerSource = `
const http2 = require('node:http2');
const body = Buffer.alloc(2048, 'x');
const server = http2.createSecureServer(
  {key: process.env.BENCH_KEY, cert: process.env.BENCH_CERT},
  (request, response) => {
    request.resume();
    response.writeHead(200, {'content-type': 'text/plain', 'content-length': body.length});
    response.end(body);
  },
);
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(0), 300000).unref();
`;

const writeOut =
  '%{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer} %{time_total}';

/** Phases in ms. */
export type Phases = {dns: number; connect: number; wait: number; download: number; total: number};
export const phaseNames = ['dns', 'connect', 'wait', 'download', 'total'] as const;

export type RequestTimings = {
  runs: number;
  /** Medians of each phase. */
  curl: Phases;
  oneShot: Phases;
  dashboardFirst: Phases;
  dashboardTenth: Phases;
};

/** Targets: each phase within this many ms of curl's, the total within totalTargetMs. */
export const phaseTargetMs = 0.3;
export const totalTargetMs = 1;

/** curl -w's cumulative seconds, as `a b c d e f`, into phases. */
function phasesOfWriteOut(text: string): Phases {
  const [namelookup, connect, , , starttransfer, total] = text.trim().split(/\s+/).map(Number);
  if (total === undefined || Number.isNaN(total)) throw new Error(`unreadable -w output: ${text}`);
  const ms = (seconds: number | undefined) => (seconds ?? 0) * 1000;
  return {
    dns: ms(namelookup),
    connect: ms(connect) - ms(namelookup),
    wait: ms(starttransfer) - ms(connect),
    download: ms(total) - ms(starttransfer),
    total: ms(total),
  };
}

/** Phases in ms with the TLS handshake apart: wait is request sent + first byte only. */
export type TlsPhases = {
  dns: number;
  connect: number;
  tls: number;
  wait: number;
  download: number;
  total: number;
};
export const tlsPhaseNames = ['dns', 'connect', 'tls', 'wait', 'download', 'total'] as const;

/**
 * curl -w's moments into phases, TLS apart. A moment curl did not reach (time_connect and
 * time_appconnect are 0 on a reused connection, appconnect without TLS) takes no time.
 */
function tlsPhasesOfWriteOut(line: string): TlsPhases {
  const [lookup = 0, connect = 0, appconnect = 0, , start = 0, total] = line
    .trim()
    .split(/\s+/)
    .map((seconds) => Number(seconds) * 1000);
  if (total === undefined || Number.isNaN(total)) throw new Error(`unreadable -w output: ${line}`);
  const connected = Math.max(lookup, connect);
  const secured = Math.max(connected, appconnect);
  return {
    dns: lookup,
    connect: connected - lookup,
    tls: secured - connected,
    wait: start - secured,
    download: total - start,
    total,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function medians(runs: Phases[]): Phases {
  return {
    dns: median(runs.map((run) => run.dns)),
    connect: median(runs.map((run) => run.connect)),
    wait: median(runs.map((run) => run.wait)),
    download: median(runs.map((run) => run.download)),
    total: median(runs.map((run) => run.total)),
  };
}

function tlsMedians(runs: TlsPhases[]): TlsPhases {
  const of = (name: (typeof tlsPhaseNames)[number]) => median(runs.map((run) => run[name]));
  return {
    dns: of('dns'),
    connect: of('connect'),
    tls: of('tls'),
    wait: of('wait'),
    download: of('download'),
    total: of('total'),
  };
}

export function hasCurl(): boolean {
  return spawnSync('curl', ['--version'], {stdio: 'ignore'}).status === 0;
}

function curlOnce(url: string): Phases {
  const run = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', writeOut, url], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`curl exited ${run.status}`);
  return phasesOfWriteOut(run.stdout);
}

function oneShotOnce(url: string): Phases {
  const run = spawnSync(
    process.execPath,
    [cli, 'request', '-s', '-o', '/dev/null', '-w', writeOut, url],
    {
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(`porthole request exited ${run.status}: ${run.stderr}`);
  return phasesOfWriteOut(run.stdout);
}

/** A fresh process that sends as the dashboard does (the bundle, loaded lazily, warmed). */
function dashboardOnce(url: string): {first: Phases; tenth: Phases} {
  const run = spawnSync(process.execPath, [path.join(root, 'bench/request-engine.mjs'), url], {
    encoding: 'utf8',
    cwd: root,
  });
  if (run.status !== 0) throw new Error(`the dashboard engine exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as {first: Phases; tenth: Phases};
}

/** One transfer per URL given, on one connection when curl can; each transfer's phases. */
function curlTransfers(urls: string[], args: string[] = []): TlsPhases[] {
  const run = spawnSync(
    'curl',
    ['-s', ...args, ...urls.flatMap(() => ['-o', '/dev/null']), '-w', `${writeOut}\\n`, ...urls],
    {encoding: 'utf8'},
  );
  if (run.status !== 0) throw new Error(`curl exited ${run.status}`);
  const lines = run.stdout.trim().split('\n');
  if (lines.length !== urls.length) throw new Error(`curl printed ${run.stdout}`);
  return lines.map(tlsPhasesOfWriteOut);
}

function oneShotTls(url: string, args: string[]): TlsPhases {
  const run = spawnSync(
    process.execPath,
    [cli, 'request', '-s', ...args, '-o', '/dev/null', '-w', writeOut, url],
    {encoding: 'utf8'},
  );
  if (run.status !== 0) throw new Error(`porthole request exited ${run.status}: ${run.stderr}`);
  return tlsPhasesOfWriteOut(run.stdout);
}

/** The engine's two requests through one pool, in a fresh process (bench/request-pool-engine.mjs). */
function poolOnce(
  url: string,
  version: '2' | '1.1',
): {first: TlsPhases; second: TlsPhases; tenth: TlsPhases} {
  const run = spawnSync(
    process.execPath,
    [path.join(root, 'bench/request-pool-engine.mjs'), dist, url, version],
    {encoding: 'utf8', cwd: root},
  );
  if (run.status !== 0) throw new Error(`the pool engine exited ${run.status}: ${run.stderr}`);
  const printed = JSON.parse(run.stdout) as {
    protocol: string;
    first: TlsPhases;
    second: TlsPhases;
    tenth: TlsPhases;
  };
  const expected = version === '2' ? 'h2' : 'http/1.1';
  if (printed.protocol !== expected) throw new Error(`spoke ${printed.protocol}, not ${expected}`);
  return printed;
}

async function childServer(source: string, env: NodeJS.ProcessEnv = {}) {
  const server = fork('-e', [source], {
    execArgv: [],
    env: {...process.env, ...env},
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('message', (message) => resolve(Number(message)));
    server.once('exit', () => reject(new Error('the loopback server exited')));
  });
  return {port, close: () => server.kill()};
}

export type ReuseTimings = {
  runs: number;
  /** HTTP/2 over TLS, a new connection each. */
  h2Curl: TlsPhases;
  h2OneShot: TlsPhases;
  h2EngineFirst: TlsPhases;
  /** The tenth request of that process, on a new connection of its own. */
  h2EngineTenth: TlsPhases;
  /** HTTP/2 over TLS: the second transfer, on the first one's connection. */
  h2CurlReused: TlsPhases;
  h2EngineReused: TlsPhases;
  /** HTTP/1.1 keep-alive on the plain server: the second transfer. */
  http1CurlReused: TlsPhases;
  http1EngineReused: TlsPhases;
};

export async function reuseTimings(runs = 15): Promise<ReuseTimings> {
  const certificate = selfSignedCertificate();
  const secure = await childServer(secureServerSource, {
    BENCH_KEY: certificate.key,
    BENCH_CERT: certificate.cert,
  });
  const plain = await childServer(serverSource);
  try {
    const h2 = `https://127.0.0.1:${secure.port}/`;
    const http1 = `http://127.0.0.1:${plain.port}/`;
    const tlsArgs = ['-k', '--http2'];
    for (let index = 0; index < 5; index++) {
      curlTransfers([h2, h2], tlsArgs);
      curlTransfers([http1, http1]);
    }
    const series = {
      h2Curl: [] as TlsPhases[],
      h2OneShot: [] as TlsPhases[],
      h2EngineFirst: [] as TlsPhases[],
      h2EngineTenth: [] as TlsPhases[],
      h2CurlReused: [] as TlsPhases[],
      h2EngineReused: [] as TlsPhases[],
      http1CurlReused: [] as TlsPhases[],
      http1EngineReused: [] as TlsPhases[],
    };
    for (let run = 0; run < runs; run++) {
      const [curlFirst, curlSecond] = curlTransfers([h2, h2], tlsArgs);
      if (curlFirst === undefined || curlSecond === undefined) throw new Error('curl: no timings');
      series.h2Curl.push(curlFirst);
      series.h2CurlReused.push(curlSecond);
      series.h2OneShot.push(oneShotTls(h2, tlsArgs));
      const engine = poolOnce(h2, '2');
      series.h2EngineFirst.push(engine.first);
      series.h2EngineReused.push(engine.second);
      series.h2EngineTenth.push(engine.tenth);
      const plainCurl = curlTransfers([http1, http1])[1];
      if (plainCurl === undefined) throw new Error('curl: no timings');
      series.http1CurlReused.push(plainCurl);
      series.http1EngineReused.push(poolOnce(http1, '1.1').second);
    }
    return {
      runs,
      h2Curl: tlsMedians(series.h2Curl),
      h2OneShot: tlsMedians(series.h2OneShot),
      h2EngineFirst: tlsMedians(series.h2EngineFirst),
      h2EngineTenth: tlsMedians(series.h2EngineTenth),
      h2CurlReused: tlsMedians(series.h2CurlReused),
      h2EngineReused: tlsMedians(series.h2EngineReused),
      http1CurlReused: tlsMedians(series.http1CurlReused),
      http1EngineReused: tlsMedians(series.http1EngineReused),
    };
  } finally {
    secure.close();
    plain.close();
  }
}

export async function requestTimings(runs = 15): Promise<RequestTimings> {
  const server = fork('-e', [serverSource], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.once('message', (message) => resolve(Number(message)));
      server.once('exit', () => reject(new Error('the loopback server exited')));
    });
    const url = `http://127.0.0.1:${port}/`;
    // The server's own first requests (its JIT) are nobody's cost.
    for (let index = 0; index < 5; index++) curlOnce(url);
    const curl: Phases[] = [];
    const oneShot: Phases[] = [];
    const first: Phases[] = [];
    const tenth: Phases[] = [];
    for (let run = 0; run < runs; run++) {
      curl.push(curlOnce(url));
      oneShot.push(oneShotOnce(url));
      const dashboard = dashboardOnce(url);
      first.push(dashboard.first);
      tenth.push(dashboard.tenth);
    }
    return {
      runs,
      curl: medians(curl),
      oneShot: medians(oneShot),
      dashboardFirst: medians(first),
      dashboardTenth: medians(tenth),
    };
  } finally {
    server.kill();
  }
}

/**
 * Each phase of `porthole` beside curl's, with whether it meets its target: at most this much
 * more than curl's (less is met: a phase shorter than curl's carries none of porthole's own time).
 */
export function phaseVerdicts(
  porthole: Phases,
  curl: Phases,
): Array<{phase: (typeof phaseNames)[number]; porthole: number; curl: number; met: boolean}> {
  return phaseNames.map((phase) => ({
    phase,
    porthole: porthole[phase],
    curl: curl[phase],
    met: porthole[phase] - curl[phase] <= (phase === 'total' ? totalTargetMs : phaseTargetMs),
  }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  {
    const result = await requestTimings(Number(process.argv[2] ?? 15));
    const ms = (value: number) => value.toFixed(3).padStart(8);
    console.log(`medians of ${result.runs} runs, ms`);
    console.log(`${''.padEnd(18)}${phaseNames.map((name) => name.padStart(9)).join('')}`);
    for (const [label, phases] of [
      ['curl -w', result.curl],
      ['porthole request', result.oneShot],
      ['dashboard 1st', result.dashboardFirst],
      ['dashboard 10th', result.dashboardTenth],
    ] as const) {
      console.log(
        `${label.padEnd(18)}${phaseNames.map((name) => ` ${ms(phases[name])}`).join('')}`,
      );
    }
  }
  {
    const result = await reuseTimings(Number(process.argv[2] ?? 15));
    const ms = (value: number) => value.toFixed(3).padStart(8);
    const versus = (ours: TlsPhases, curl: TlsPhases) =>
      `   total ${ours.total >= curl.total ? '+' : ''}${(ours.total - curl.total).toFixed(3)} ms, ` +
      `${(ours.total / curl.total).toFixed(2)}x curl`;
    console.log(`\nHTTP/2 over TLS and reused connections, medians of ${result.runs} runs, ms`);
    console.log(`${''.padEnd(30)}${tlsPhaseNames.map((name) => name.padStart(9)).join('')}`);
    for (const [label, phases, curl] of [
      ['h2 new: curl -k --http2', result.h2Curl, undefined],
      ['h2 new: porthole request', result.h2OneShot, result.h2Curl],
      ['h2 new: engine, 1st', result.h2EngineFirst, result.h2Curl],
      ['h2 new: engine, 10th', result.h2EngineTenth, result.h2Curl],
      ['h2 reused: curl URL URL, 2nd', result.h2CurlReused, undefined],
      ['h2 reused: engine pool, 2nd', result.h2EngineReused, result.h2CurlReused],
      ['1.1 reused: curl URL URL, 2nd', result.http1CurlReused, undefined],
      ['1.1 reused: engine pool, 2nd', result.http1EngineReused, result.http1CurlReused],
    ] as const) {
      console.log(
        `${label.padEnd(30)}${tlsPhaseNames.map((name) => ` ${ms(phases[name])}`).join('')}` +
          (curl === undefined ? '' : versus(phases, curl)),
      );
    }
  }
}
