// The dashboard's request engine in a process of its own, as users run it: the bundle, loaded
// when first used, warmed, then ten requests one after another. Prints the first and the tenth
// as phases in ms (dns, connect, wait = TLS + request sent + first byte, download, total).
// Run by bench/request.ts: node bench/request-engine.mjs URL
const url = process.argv[2];
const {sendRequest, warmEngine} = await import('../dist/index.js');
await warmEngine({thorough: true});
const phases = [];
for (let index = 0; index < 10; index++) {
  const {timings, error} = await sendRequest({url, timeoutMs: 5000});
  if (error !== undefined) throw new Error(error.message);
  phases.push({
    dns: timings.dns ?? 0,
    connect: timings.connect ?? 0,
    wait: (timings.tls ?? 0) + (timings.send ?? 0) + (timings.firstByte ?? 0),
    download: timings.download ?? 0,
    total: timings.total,
  });
}
console.log(JSON.stringify({first: phases[0], tenth: phases[9]}));
