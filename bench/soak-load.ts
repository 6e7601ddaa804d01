/**
 * The load of the soak, in a process of its own so that its memory and CPU are not the dashboard's:
 * - connection churn: opens `rate` loopback connections a second to a server of its own, each
 *   closed at once by the server (as an HTTP/1.0 server does, so the TIME-WAIT rows a busy host
 *   shows are on the server's side and the client's ephemeral ports are not exhausted);
 * - listener churn: opens a loopback listener every `1000 / listenersPerSecond` ms and closes it
 *   `listenerLifeMs` later, so the dashboard's list of opened/closed listeners keeps filling;
 * - an HTTP server on loopback that answers every request at once, counting them by path.
 *
 * Run by bench/soak.ts through fork(): it reports on IPC and exits when the parent goes away (the
 * IPC channel closes even when the parent is killed) or after `lifetimeMs`, whichever comes first.
 *
 * argv: rate listenersPerSecond listenerLifeMs lifetimeMs
 */
import http from 'node:http';
import net from 'node:net';
import process from 'node:process';

export type LoadReady = {kind: 'ready'; churnPort: number; httpPort: number};

export type LoadStats = {
  kind: 'stats';
  /** Milliseconds since the churn started. */
  elapsedMs: number;
  /** Connections established, and fully closed, since the churn started. */
  opened: number;
  closed: number;
  /** Connections that failed (refused, reset, timed out, no port). */
  failed: number;
  firstError: string | undefined;
  listenersOpened: number;
  listenersClosed: number;
  /** HTTP requests answered, by path. */
  answered: Record<string, number>;
};

export type LoadRequest = {kind: 'stats'};

const [rateArg, listenersArg, lifeArg, lifetimeArg] = process.argv.slice(2).map(Number);
const rate = Math.max(1, Math.min(rateArg || 500, 5000));
const listenersPerSecond = Math.max(0, Math.min(listenersArg ?? 5, 50));
const listenerLifeMs = Math.max(100, Math.min(lifeArg || 2500, 60_000));
const lifetimeMs = Math.max(1000, Math.min(lifetimeArg || 15 * 60_000, 24 * 60 * 60_000));

/** At most this many connections being opened or closed at once: a stalled loop cannot pile up. */
const maxInFlight = 256;
const tickMs = 10;

let opened = 0;
let closed = 0;
let failed = 0;
let started = 0;
let inFlight = 0;
let firstError: string | undefined;
let listenersOpened = 0;
let listenersClosed = 0;
const answered: Record<string, number> = {};
const liveListeners = new Set<net.Server>();
const timers: NodeJS.Timeout[] = [];
let churnStartedAt = 0;
let stopping = false;

const churnServer = net.createServer((socket) => {
  socket.on('error', () => {});
  socket.end();
});
churnServer.maxConnections = 4096;

const httpServer = http.createServer((request, response) => {
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  answered[path] = (answered[path] ?? 0) + 1;
  response.writeHead(200, {'content-type': 'text/plain', connection: 'close'});
  response.end('ok\n');
});

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', 1024, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function openOne(port: number) {
  inFlight++;
  started++;
  let done = false;
  const finish = (error?: Error) => {
    if (done) return;
    done = true;
    inFlight--;
    if (error) {
      failed++;
      firstError ??= (error as NodeJS.ErrnoException).code ?? error.message;
    } else {
      closed++;
    }
  };
  const client = net.connect({port, host: '127.0.0.1'}, () => opened++);
  client.setTimeout(5000, () => client.destroy(new Error('timed out')));
  client.once('error', finish);
  client.once('close', (hadError) => {
    if (!hadError) finish();
  });
  client.resume();
}

function churn(port: number) {
  if (stopping) return;
  const due = Math.floor(((performance.now() - churnStartedAt) * rate) / 1000) - started;
  const room = maxInFlight - inFlight;
  for (let i = 0; i < Math.min(due, room); i++) openOne(port);
  // When the machine cannot keep up, the shortfall is dropped rather than sent as a burst later.
  if (due > room) started += due - room;
}

function churnListener() {
  if (stopping) return;
  const server = net.createServer((socket) => socket.destroy());
  server.on('error', () => {});
  server.listen(0, '127.0.0.1', () => {
    listenersOpened++;
    liveListeners.add(server);
    const closeTimer = setTimeout(() => {
      liveListeners.delete(server);
      server.close(() => listenersClosed++);
    }, listenerLifeMs);
    closeTimer.unref();
  });
}

function stats(): LoadStats {
  return {
    kind: 'stats',
    elapsedMs: churnStartedAt ? performance.now() - churnStartedAt : 0,
    // `opened` counts connects that completed; the rate asked for is measured on the same count.
    opened,
    closed,
    failed,
    firstError,
    listenersOpened,
    listenersClosed,
    answered: {...answered},
  };
}

function quit() {
  if (stopping) return;
  stopping = true;
  for (const timer of timers) clearInterval(timer);
  for (const server of liveListeners) server.close();
  churnServer.close();
  httpServer.closeAllConnections();
  httpServer.close();
  // Connections still closing are dropped with the process.
  setTimeout(() => process.exit(0), 200).unref();
}

process.on('disconnect', quit);
process.on('SIGTERM', quit);
process.on('SIGINT', quit);
setTimeout(quit, lifetimeMs).unref();

process.on('message', (message: LoadRequest) => {
  if (message.kind === 'stats' && process.connected) process.send?.(stats());
});

const [churnPort, httpPort] = await Promise.all([listen(churnServer), listen(httpServer)]);
churnStartedAt = performance.now();
timers.push(setInterval(() => churn(churnPort), tickMs));
if (listenersPerSecond > 0) {
  timers.push(setInterval(churnListener, Math.round(1000 / listenersPerSecond)));
}
if (process.connected) process.send?.({kind: 'ready', churnPort, httpPort} satisfies LoadReady);
