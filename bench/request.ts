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
 * Run: node --import tsx bench/request.ts [runs]   (after npm run build)
 */
import {fork, spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/cli.js');

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

/** Each phase of `porthole` beside curl's, with whether it meets its target. */
export function phaseVerdicts(
  porthole: Phases,
  curl: Phases,
): Array<{phase: (typeof phaseNames)[number]; porthole: number; curl: number; met: boolean}> {
  return phaseNames.map((phase) => ({
    phase,
    porthole: porthole[phase],
    curl: curl[phase],
    met:
      Math.abs(porthole[phase] - curl[phase]) <=
      (phase === 'total' ? totalTargetMs : phaseTargetMs),
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
}
