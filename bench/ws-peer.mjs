// The peer for the streams figures: a bare `ws` client doing what websocat does by default
// (each stdin line sent as a text message, each message received written as a line), or, with
// --count N, only counting received messages until N have come (the dashboard's peer).
// Run: node bench/ws-peer.mjs URL [--count N]
import {createInterface} from 'node:readline';
import WebSocket from 'ws';

const [url, flag, value] = process.argv.slice(2);
const socket = new WebSocket(url);
const count = flag === '--count' ? Number(value) : undefined;

socket.on('error', (error) => {
  console.error(`ws-peer: ${error.message}`);
  process.exit(1);
});

if (count !== undefined) {
  let received = 0;
  let atOpen = {cpu: process.cpuUsage(), at: performance.now()};
  socket.on('open', () => (atOpen = {cpu: process.cpuUsage(), at: performance.now()}));
  socket.on('message', () => {
    if (++received === count) {
      // Its own CPU and RSS, taken before the close (the process is gone by the time a parent
      // could read /proc for it).
      // Start-up left out, as the dashboard's figure starts at its Enter.
      const cpu = process.cpuUsage(atOpen.cpu);
      const rss = process.memoryUsage.rss();
      const ms = performance.now() - atOpen.at;
      console.log(`received ${received} ms ${ms} cpu ${(cpu.user + cpu.system) / 1000} rss ${rss}`);
      socket.close(1000);
    }
  });
  socket.on('close', () => process.exit(0));
} else {
  const queued = [];
  socket.on('open', () => {
    for (const line of queued.splice(0)) socket.send(line);
  });
  createInterface({input: process.stdin})
    .on('line', (line) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(line);
      else queued.push(line);
    })
    .on('close', () => socket.close(1000));
  socket.on('message', (data) => {
    if (!process.stdout.write(data + '\n')) {
      socket.pause();
      process.stdout.once('drain', () => socket.resume());
    }
  });
  socket.on('close', () => process.exit(0));
}
