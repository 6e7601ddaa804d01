import type http from 'node:http';
import type https from 'node:https';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {Readable, Writable} from 'node:stream';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runRequestCommand} from '../../source/cli/request-command.js';
import {requestResultJson} from '../../source/cli/request-json.js';
import type {RequestResult} from '../../source/request/types.js';
import {requestResultSchema, validate} from '../helpers/request-result-schema.js';
import {closedPort, httpServer, httpsServer, type Loopback} from '../helpers/servers.js';
import {selfSignedCertificate} from '../helpers/tls.js';

class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void) {
    this.chunks.push(Buffer.from(chunk));
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

const allBytes = Buffer.from(Array.from({length: 256}, (_, index) => index));
// C1 CSI and a bidi override: JSON.stringify leaves both as they are; a terminal must not get them.
const sneaky = 'caf\u00e9 \u009b31m \u202eevil\n';

let secure: Loopback<https.Server>;
let plain: Loopback<http.Server>;
let directory: string;

function handler(request: http.IncomingMessage, response: http.ServerResponse) {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    switch (request.url) {
      case '/text':
        response.setHeader('Content-Type', 'text/plain; charset=utf-8');
        response.end(sneaky);
        return;
      case '/bytes':
        response.setHeader('Content-Type', 'application/octet-stream');
        response.end(allBytes);
        return;
      case '/echo':
        response.end(Buffer.concat(chunks));
        return;
      case '/long-text':
        // 2 MiB is kept; the cut falls inside the last 'é'.
        response.end('a' + '\u00e9'.repeat(1_100_000));
        return;
      case '/moved':
        response.statusCode = 302;
        response.setHeader('Location', '/text');
        response.end();
        return;
      default:
        response.statusCode = 404;
        response.end('nothing here\n');
    }
  });
}

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'porthole-json-result-'));
  secure = await httpsServer(selfSignedCertificate(), handler);
  plain = await httpServer(handler);
});
afterAll(async () => {
  await secure.close();
  await plain.close();
  await rm(directory, {recursive: true, force: true});
});

async function run(args: string[], tty = false) {
  const stdout = new Collector(tty);
  const stderr = new Collector();
  const code = await runRequestCommand(args, {
    stdout,
    stderr,
    stdin: Readable.from([Buffer.from('')]),
    cwd: directory,
  });
  return {code, stdout, stderr};
}

/** The one JSON document on stdout, checked against the documented schema. */
function parsed(stdout: Collector): Record<string, unknown> & {
  response: Record<string, unknown> | null;
  error: {code: string} | null;
} {
  const text = stdout.text();
  expect(text.endsWith('}\n')).toBe(true);
  expect(text.slice(0, -1)).not.toContain('\n');
  const json = JSON.parse(text) as ReturnType<typeof parsed>;
  expect(validate(json)).toEqual([]);
  return json;
}

describe('porthole request --json-result', () => {
  it('prints the whole result of an HTTPS exchange as JSON that follows the schema', async () => {
    const {code, stdout, stderr} = await run(['--json-result', '-k', `${secure.origin}/text`]);
    expect(code).toBe(0);
    expect(stderr.text()).toBe('');
    const json = parsed(stdout);
    expect(json.response).toMatchObject({
      status: 200,
      statusClass: 'success',
      body: sneaky,
      encoding: 'utf8',
      bodyBytes: Buffer.byteLength(sneaky),
      contentType: 'text/plain; charset=utf-8',
      remoteAddress: '127.0.0.1',
      remotePort: secure.port,
    });
    expect(json.error).toBeNull();
    // The TLS session and its chain were there to be checked against the schema.
    expect(json.protocol).toBe('http/1.1');
    expect(json.tls).toMatchObject({insecure: true, verified: false});
    expect((json.tls as {chain: unknown[]}).chain).toHaveLength(1);
    expect(json.connection).toMatchObject({remotePort: secure.port, reused: false});
    expect((json.events as Array<{type: string}>).map((event) => event.type)).toContain('tls');
    const timings = json.timings as Record<string, unknown>;
    expect(timings.dns).toBeNull();
    expect(typeof timings.total).toBe('number');
    expect(json.transcript).toContainEqual({kind: 'out', text: 'GET /text HTTP/1.1'});
  });

  it('escapes what a terminal would obey, and the JSON still reads back the same', async () => {
    const {stdout} = await run(['--json-result', `${plain.origin}/text`]);
    expect(stdout.text()).not.toMatch(/[\u007f-\u009f\u202e]/);
    expect(stdout.text()).toContain('\\u009b31m \\u202eevil');
    expect(parsed(stdout).response?.body).toBe(sneaky);
  });

  it('gives a body that is not UTF-8 as base64', async () => {
    const {code, stdout} = await run(['--json-result', `${plain.origin}/bytes`]);
    expect(code).toBe(0);
    const response = parsed(stdout).response ?? {};
    expect(response.encoding).toBe('base64');
    expect(Buffer.from(String(response.body), 'base64')).toEqual(allBytes);
  });

  it('keeps a text body cut at 2 MiB as text, ending at its last whole character', async () => {
    const response =
      parsed((await run(['--json-result', `${plain.origin}/long-text`])).stdout).response ?? {};
    expect(response).toMatchObject({encoding: 'utf8', bodyTruncated: true, bodyBytes: 2_200_001});
    expect(response.body).toBe('a' + '\u00e9'.repeat(1_048_575));
  });

  it('keeps -o: the body goes to the file and into the JSON', async () => {
    const file = path.join(directory, 'bytes.bin');
    const {code, stdout} = await run(['--json-result', '-o', file, `${plain.origin}/bytes`]);
    expect(code).toBe(0);
    expect(await readFile(file)).toEqual(allBytes);
    const response = parsed(stdout).response ?? {};
    expect(Buffer.from(String(response.body), 'base64')).toEqual(allBytes);
  });

  it('lists the redirects followed with -L', async () => {
    const json = parsed((await run(['--json-result', '-L', `${plain.origin}/moved`])).stdout);
    expect(json.redirects).toEqual([
      {url: `${plain.origin}/moved`, status: 302, location: '/text'},
    ]);
    expect(json.response?.status).toBe(200);
  });

  it('exits as it would without it: 22 with -f, 1 for a failed exchange', async () => {
    const failed = await run(['--json-result', '-f', `${plain.origin}/missing`]);
    expect(failed.code).toBe(22);
    expect(parsed(failed.stdout).response?.status).toBe(404);
    const port = await closedPort();
    const refused = await run(['--json-result', `http://127.0.0.1:${port}/`]);
    expect(refused.code).toBe(1);
    const json = parsed(refused.stdout);
    expect(json.response).toBeNull();
    expect(json.error?.code).toBe('refused');
    expect(refused.stderr.text()).toMatch(/^porthole: connection refused/);
  });

  it('prints no JSON for a command that cannot be run, and refuses -w beside it', async () => {
    const bad = await run(['--json-result', '--frobnicate', plain.origin]);
    expect(bad.code).toBe(2);
    expect(bad.stdout.text()).toBe('');
    const both = await run(['--json-result', '-w', '%{http_code}', plain.origin]);
    expect(both.code).toBe(2);
    expect(both.stderr.text()).toBe(
      'porthole: --json-result and -w both write to stdout; give one of them\n',
    );
  });

  it('takes --json-result as data when it is the value of an option', async () => {
    const {stdout} = await run(['-d', '--json-result', `${plain.origin}/echo`]);
    expect(stdout.text()).toBe('--json-result');
  });

  it('is named in --help', async () => {
    expect((await run(['--help'])).stdout.text()).toMatch(/\n {2}--json-result +print the whole/);
  });
});

describe('the JSON result schema', () => {
  const result: RequestResult = {
    response: undefined,
    error: {code: 'refused', message: 'connection refused'},
    timings: {
      dns: undefined,
      connect: undefined,
      tls: undefined,
      send: undefined,
      firstByte: undefined,
      download: undefined,
      total: 1,
    },
    transcript: [],
    redirects: [],
    protocol: undefined,
    dns: undefined,
    connection: undefined,
    tls: undefined,
    warnings: [],
    events: [],
  };

  it('documents every key of RequestResult, and nothing else', () => {
    expect(Object.keys(requestResultSchema.result).sort()).toEqual(Object.keys(result).sort());
    const json = JSON.parse(requestResultJson(result)) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(Object.keys(requestResultSchema.result).sort());
  });

  it('catches a missing key, an extra key and a wrong type', () => {
    const json = JSON.parse(requestResultJson(result)) as Record<string, unknown>;
    expect(validate(json)).toEqual([]);
    const missing = {...json};
    delete missing.warnings;
    expect(validate(missing)).toEqual(['result.warnings: missing']);
    expect(validate({...json, extra: 1})).toEqual(['result.extra: not in the schema']);
    expect(validate({...json, protocol: 'h3'})).toEqual([
      "result.protocol: not 'http/1.0'|'http/1.1'|'h2'|null: \"h3\"",
    ]);
  });
});
