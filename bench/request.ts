/**
 * Request overhead: the total time of a GET to a loopback server as porthole's engine measures it
 * (`result.timings.total`, what the Request pane and `porthole request` show) against curl's own
 * `-w %{time_total}` for the same URL, alternating, each on a new connection.
 *
 * The server is a child process, so that serving does not share this process's event loop with
 * the client being measured. It answers every request with the same 2 KiB body.
 *
 * Run: node --import tsx bench/request.ts [requests]
 */
import {fork, spawnSync} from 'node:child_process';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {sendRequest} from '../source/request/send-request.js';

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

export type RequestOverhead = {
  requests: number;
  /** Medians, in ms. */
  porthole: number;
  curl: number;
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export function hasCurl(): boolean {
  return spawnSync('curl', ['--version'], {stdio: 'ignore'}).status === 0;
}

export async function requestOverhead(requests = 50): Promise<RequestOverhead> {
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
    const porthole: number[] = [];
    const curl: number[] = [];
    // In blocks of ten, taking turns: a curl process started between two of porthole's requests
    // leaves this process's next request to run on a cold core, which is not the engine's cost.
    const block = 10;
    for (let round = 0; round * block < requests + block; round++) {
      for (let i = 0; i < block; i++) {
        const result = await sendRequest({url, timeoutMs: 5000});
        if (result.error || result.response?.status !== 200)
          throw new Error(
            `porthole's request failed: ${result.error?.message ?? result.response?.status}`,
          );
        // The first block of each warms up (modules, JIT, the server's first connections).
        if (round > 0) porthole.push(result.timings.total);
      }
      for (let i = 0; i < block; i++) {
        const run = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{time_total}', url], {
          encoding: 'utf8',
        });
        if (run.status !== 0) throw new Error(`curl exited ${run.status}`);
        if (round > 0) curl.push(Number(run.stdout) * 1000);
      }
    }
    return {requests, porthole: median(porthole), curl: median(curl)};
  } finally {
    server.kill();
  }
}

/**
 * The same, measured in a process of its own: porthole's requests are timed in a process that
 * does nothing else, as the Request pane's are, not in one that has just run the other figures
 * and holds their garbage.
 */
export function requestOverheadApart(requests = 50): RequestOverhead {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), String(requests), '--json'],
    {encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit']},
  );
  if (run.status !== 0) throw new Error(`bench/request.ts exited ${run.status}`);
  return JSON.parse(run.stdout) as RequestOverhead;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await requestOverhead(Number(process.argv[2] ?? 50));
  console.log(process.argv.includes('--json') ? JSON.stringify(result) : result);
}
