// The library's engine in a process of its own: the bundle, warmed, then two requests to the same
// URL through one connection pool, the second on the first one's connection, then eight more
// without a pool (each its own connection). Prints the first, the second and the tenth as phases
// in ms (dns, connect, tls, wait = request sent + first byte, download, total) and refuses to
// print figures when the second request did not reuse the connection.
// Run by bench/request.ts: node bench/request-pool-engine.mjs DIST URL [2|1.1]
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const [dist, url, version] = process.argv.slice(2);
const {sendRequest, warmEngine, createConnectionPool} = await import(
  pathToFileURL(path.resolve(dist, 'index.js')).href
);
await warmEngine({thorough: true});
const pool = createConnectionPool();
const phases = ({timings}) => ({
  dns: timings.dns ?? 0,
  connect: timings.connect ?? 0,
  tls: timings.tls ?? 0,
  wait: (timings.send ?? 0) + (timings.firstByte ?? 0),
  download: timings.download ?? 0,
  total: timings.total,
});
const results = [];
try {
  for (let index = 0; index < 10; index++) {
    const result = await sendRequest({
      url,
      insecure: true,
      httpVersion: version ?? '2',
      pool: index < 2 ? pool : undefined,
      timeoutMs: 5000,
    });
    if (result.error !== undefined) throw new Error(result.error.message);
    results.push(result);
  }
} finally {
  pool.close();
}
const [first, second] = results;
const tenth = results[9];
if (second.connection?.reused !== true) throw new Error('the second request opened a connection');
if (tenth.connection?.reused !== false) throw new Error('the tenth request reused a connection');
console.log(
  JSON.stringify({
    protocol: second.protocol,
    first: phases(first),
    second: phases(second),
    tenth: phases(tenth),
  }),
);
