/**
 * What curl puts on the wire beside what porthole does for the same paste. Real curl runs the
 * paste as a bash script (so the corpus is checked to be valid shell) with `curl` standing for
 * `curl --connect-to ::127.0.0.1:PORT --no-progress-meter -o /dev/null`; porthole reads the same paste with its
 * one curl reader, plans it and sends it with the engine, connected to the same capture server.
 *
 * Both sides get the paste with `https://` read as `http://` (the HTTP/1.1 bytes are what is
 * compared, not TLS) and `/var/run/docker.sock` replaced by a Unix socket of the comparison.
 * They run in a temporary directory holding the files the corpus names.
 *
 * Normalised before comparing, and nothing else: each tool's own User-Agent line
 * (`curl/…`, `porthole/…`) unless the paste names a User-Agent (-A, -H), the Connection line
 * unless the paste names one, and a multipart
 * boundary the tool made up (not one written in the paste), which also changes Content-Length
 * by as much when that length was right.
 */
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {planRequest, readCurlText} from '../../source/request/curl/index.js';
import {sendRequest} from '../../source/request/send-request.js';
import {corpusFiles, type CorpusEntry} from '../fixtures/curl-corpus.js';
import {captureServer, type CaptureServer, type CapturedRequest} from './capture-server.js';

export const dockerSocket = '/var/run/docker.sock';

export type SideResult = {
  /** The normalised bytes (latin1), when exactly one request arrived. */
  wire: string | undefined;
  captures: CapturedRequest[];
  /** Why nothing (or not one request) arrived: a refusal, an error, curl's exit. */
  problem: string | undefined;
};

export type Comparison = {
  entry: CorpusEntry;
  curl: SideResult;
  porthole: SideResult;
  same: boolean;
  /** Each difference in one line: a header, an order, a byte. */
  differences: string[];
};

export type Wire = {
  directory: string;
  tcp: CaptureServer;
  unix: CaptureServer;
  /** The paste as both sides get it (scheme and socket path rewritten). */
  prepare(text: string): string;
  runCurl(script: string, stdin?: string): Promise<SideResult>;
  runPorthole(paste: string, stdin?: string, usesSocket?: boolean): Promise<SideResult>;
  compare(entry: CorpusEntry): Promise<Comparison>;
  close(): Promise<void>;
};

/** The paste's own text decides what counts as "named by the paste". */
export function normalise(request: CapturedRequest, paste: string): string {
  const headEnd = request.head.length;
  const lines = request.head.slice(0, headEnd - 4).split('\r\n');
  const namesConnection = /connection\s*:/i.test(paste);
  const namesAgent = /(\s-A|--user-agent|user-agent\s*[:;])/i.test(paste);
  const kept = lines.filter((line, index) => {
    if (index === 0) return true;
    if (!namesAgent && /^user-agent:\s*(curl|porthole)\//i.test(line)) return false;
    if (!namesConnection && /^connection\s*:/i.test(line)) return false;
    return true;
  });
  let head = kept.join('\r\n') + '\r\n\r\n';
  let body = request.body.toString('latin1');
  const boundary = /^content-type:[^\r\n]*;\s*boundary=("?)([^\s;"]+)\1/im.exec(head)?.[2];
  if (boundary !== undefined && !paste.includes(boundary)) {
    const lengthLine = /^content-length:\s*(\d+)$/im.exec(head);
    const truthful = lengthLine !== null && Number(lengthLine[1]) === request.body.length;
    head = head.replaceAll(boundary, '<boundary>');
    body = body.replaceAll(boundary, '<boundary>');
    if (truthful && lengthLine) {
      head = head.replace(lengthLine[0], lengthLine[0].replace(/\d+$/, String(body.length)));
    }
  }
  return head + body;
}

function escape(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** The differences between two normalised requests, one line each, head lines by name. */
export function describeDifferences(curl: string, porthole: string): string[] {
  if (curl === porthole) return [];
  const split = (wire: string) => {
    const end = wire.indexOf('\r\n\r\n');
    return {lines: wire.slice(0, end).split('\r\n'), body: wire.slice(end + 4)};
  };
  const a = split(curl);
  const b = split(porthole);
  const out: string[] = [];
  if (a.lines[0] !== b.lines[0]) {
    out.push(
      `request line: curl "${escape(a.lines[0] ?? '')}", porthole "${escape(b.lines[0] ?? '')}"`,
    );
  }
  const fieldsA = a.lines.slice(1);
  const fieldsB = b.lines.slice(1);
  const onlyA = fieldsA.filter((line) => !fieldsB.includes(line));
  const onlyB = fieldsB.filter((line) => !fieldsA.includes(line));
  const name = (line: string) => line.slice(0, Math.max(0, line.indexOf(':'))).toLowerCase();
  for (const line of onlyA) {
    const peer = onlyB.find((other) => name(other) === name(line));
    if (peer === undefined) out.push(`header only curl sends: "${escape(line)}"`);
    else out.push(`header differs: curl "${escape(line)}", porthole "${escape(peer)}"`);
  }
  for (const line of onlyB) {
    if (!onlyA.some((other) => name(other) === name(line))) {
      out.push(`header only porthole sends: "${escape(line)}"`);
    }
  }
  const commonA = fieldsA.filter((line) => fieldsB.includes(line));
  const commonB = fieldsB.filter((line) => fieldsA.includes(line));
  if (commonA.join('\n') !== commonB.join('\n')) {
    out.push(
      `header order: curl [${commonA.map(name).join(', ')}], porthole [${commonB.map(name).join(', ')}]`,
    );
  }
  if (a.body !== b.body) {
    let at = 0;
    while (at < a.body.length && a.body[at] === b.body[at]) at++;
    const from = Math.max(0, at - 12);
    out.push(
      `body (curl ${a.body.length} bytes, porthole ${b.body.length}) differs at byte ${at}: ` +
        `curl "${escape(a.body.slice(from, at + 24))}", porthole "${escape(b.body.slice(from, at + 24))}"`,
    );
  }
  if (out.length === 0) out.push('same lines, different bytes');
  return out;
}

function runShell(
  script: string,
  directory: string,
  stdin: string | undefined,
): Promise<{code: number | null; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], {
      cwd: directory,
      // C.UTF-8 so that bash reads $'\u00e9' as UTF-8, as a browser's copy means it.
      env: {...process.env, LC_ALL: 'C.UTF-8'},
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => {});
    child.stdin.end(stdin ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({code, stderr});
    });
  });
}

function single(captures: CapturedRequest[], paste: string, problem?: string): SideResult {
  const [only] = captures;
  if (captures.length !== 1 || only === undefined) {
    return {
      wire: undefined,
      captures,
      problem: problem ?? `${captures.length} requests arrived, not one`,
    };
  }
  return {wire: normalise(only, paste), captures, problem};
}

export async function openWire(): Promise<Wire> {
  const directory = mkdtempSync(path.join(tmpdir(), 'porthole-curl-wire-'));
  for (const [name, content] of Object.entries(corpusFiles)) {
    writeFileSync(path.join(directory, name), content);
  }
  const socketPath = path.join(directory, 'engine.sock');
  const tcp = await captureServer();
  const unix = await captureServer({socketPath});
  const connectTo = [{host: '', port: 0, toHost: '127.0.0.1', toPort: tcp.port}];

  const prepare = (text: string) =>
    text.replaceAll('https://', 'http://').replaceAll(dockerSocket, socketPath);
  const serverFor = (text: string) => (text.includes(socketPath) ? unix : tcp);

  const wire: Wire = {
    directory,
    tcp,
    unix,
    prepare,
    async runCurl(script, stdin) {
      const server = serverFor(script);
      const before = server.requests.length;
      const prelude = `curl() { command curl --connect-to ::127.0.0.1:${tcp.port} --no-progress-meter -o /dev/null "$@"; }\n`;
      const {code, stderr} = await runShell(prelude + script, directory, stdin);
      const captures = server.requests.slice(before);
      const problem = code === 0 ? undefined : `curl exit ${code}: ${stderr.trim().split('\n')[0]}`;
      return single(captures, script, problem);
    },
    async runPorthole(paste, stdin, usesSocket = paste.includes(socketPath)) {
      const server = usesSocket ? unix : tcp;
      const before = server.requests.length;
      const command = readCurlText(paste);
      if (typeof command === 'string') {
        return {wire: undefined, captures: [], problem: `porthole refused: ${command}`};
      }
      const planned = await planRequest(command, {
        readFile: (file) => readFile(path.resolve(directory, file)),
        readStdin: async () => Buffer.from(stdin ?? ''),
      });
      if (typeof planned === 'string') {
        return {wire: undefined, captures: [], problem: `porthole refused: ${planned}`};
      }
      const result = await sendRequest({...planned.options, connectTo, timeoutMs: 10_000});
      const captures = server.requests.slice(before);
      const problem = result.error
        ? `porthole ${result.error.code}: ${result.error.message}`
        : undefined;
      return single(captures, paste, captures.length === 1 ? undefined : problem);
    },
    async compare(entry) {
      const paste = prepare(entry.paste);
      const script = prepare(entry.shell ?? entry.paste);
      const curl = await wire.runCurl(script, entry.stdin);
      const porthole = await wire.runPorthole(paste, entry.stdin, script.includes(socketPath));
      const same = curl.wire !== undefined && curl.wire === porthole.wire;
      let differences: string[];
      if (curl.wire === undefined) differences = [`curl: ${curl.problem ?? 'nothing'}`];
      else if (porthole.wire === undefined)
        differences = [porthole.problem ?? 'porthole sent nothing'];
      else differences = describeDifferences(curl.wire, porthole.wire);
      return {entry, curl, porthole, same, differences};
    },
    async close() {
      await tcp.close();
      await unix.close();
      rmSync(directory, {recursive: true, force: true});
    },
  };
  return wire;
}

/** `N of M identical (P%)` and, for each entry that differs, its name and differences. */
export function fidelityReport(comparisons: Comparison[]): string {
  const same = comparisons.filter((each) => each.same).length;
  const percent = comparisons.length === 0 ? 0 : (100 * same) / comparisons.length;
  const lines = [`${same} of ${comparisons.length} identical (${percent.toFixed(1)}%)`];
  for (const each of comparisons) {
    if (each.same) continue;
    lines.push(`- ${each.entry.name}`);
    for (const difference of each.differences) lines.push(`    ${difference}`);
  }
  return lines.join('\n');
}
