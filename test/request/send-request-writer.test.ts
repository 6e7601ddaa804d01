/**
 * The request the engine writes, byte for byte, against what curl 7.88 writes for the same
 * options to the same capture server (User-Agent aside, the one header where porthole differs).
 */
import {execFile} from 'node:child_process';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {sendRequest} from '../../source/request/send-request.js';
import type {RequestOptions} from '../../source/request/types.js';
import {version} from '../../source/version.js';
import {captureServer, type CaptureServer} from '../helpers/capture-server.js';

const run = promisify(execFile);

let server: CaptureServer;

beforeAll(async () => {
  server = await captureServer();
});

afterAll(async () => {
  await server.close();
});

/** What curl puts on the wire for these arguments, its User-Agent made porthole's. */
async function curlSends(args: string[]): Promise<string> {
  await run('curl', ['-s', '-o', '/dev/null', '-m', '5', ...args]);
  const captured = await server.take(5000);
  if (captured === undefined) throw new Error('curl sent nothing');
  return captured.bytes
    .toString('latin1')
    .replace('User-Agent: curl/7.88.1\r\n', `User-Agent: porthole/${version}\r\n`);
}

async function portholeSends(options: Omit<RequestOptions, 'url'>, url: string): Promise<string> {
  const result = await sendRequest({url, timeoutMs: 5000, ...options});
  expect(result.error).toBeUndefined();
  const captured = await server.take(5000);
  if (captured === undefined) throw new Error('porthole sent nothing');
  const sent = result.transcript.filter((line) => line.kind === 'out').map((line) => line.text);
  // The transcript is exactly the head that was written.
  expect(captured.head).toBe(Buffer.from(sent.join('\r\n') + '\r\n', 'utf8').toString('latin1'));
  return captured.bytes.toString('latin1');
}

const cases: Array<[string, string[], Omit<RequestOptions, 'url'>, string?]> = [
  ['a plain GET', [], {}],
  ['a path, a query and a fragment', [], {}, '/p/./a/../b?q=1&r="x"#frag'],
  ['a method as written', ['-X', 'wHat'], {method: 'wHat'}],
  ['-X POST without data: no Content-Length', ['-X', 'POST'], {method: 'POST'}],
  [
    '-d: Content-Length, then the form type',
    ['-d', 'a=1'],
    {method: 'POST', body: 'a=1', bodyType: 'application/x-www-form-urlencoded'},
  ],
  [
    'every own header in curl order',
    [
      '-u',
      'us:pw',
      '-r',
      '0-9',
      '-A',
      'UA',
      '-e',
      'http://ref/',
      '-b',
      'c=1',
      '--compressed',
      '-H',
      'X-A: 1',
    ],
    {
      user: 'us:pw',
      range: '0-9',
      userAgent: 'UA',
      referer: 'http://ref/',
      cookie: 'c=1',
      compressed: true,
      headers: [['X-A', '1']],
    },
  ],
  [
    'a given Host first, other given headers replacing the own in their place',
    ['-H', 'X-A: 1', '-H', 'Host: foo', '-H', 'user-agent: mine', '-H', 'Accept;', '-H', 'Cookie:'],
    {
      headers: [
        ['X-A', '1'],
        ['Host', 'foo'],
        ['user-agent', 'mine'],
        ['Accept', ''],
      ],
      omitHeaders: ['Cookie'],
    },
  ],
  ['no User-Agent', ['-A', ''], {userAgent: ''}],
  [
    'a bearer token and a given Content-Type before Content-Length',
    ['--oauth2-bearer', 'tok', '-H', 'Content-Type: text/x', '-d', 'xx'],
    {
      method: 'POST',
      bearer: 'tok',
      headers: [['Content-Type', 'text/x']],
      body: 'xx',
      bodyType: 'application/x-www-form-urlencoded',
    },
  ],
  ['HTTP/1.0', ['--http1.0', '-X', 'wHat'], {httpVersion: '1.0', method: 'wHat'}],
  [
    'an empty body still has its Content-Length',
    ['-d', ''],
    {method: 'POST', body: '', bodyType: 'application/x-www-form-urlencoded'},
  ],
  [
    'a given Authorization and Range replace -u and -r',
    ['-H', 'authorization: x', '-u', 'a:b', '-H', 'Range: r', '-r', '1-2'],
    {
      headers: [
        ['authorization', 'x'],
        ['Range', 'r'],
      ],
      user: 'a:b',
      range: '1-2',
    },
  ],
];

describe('sendRequest writes what curl writes', () => {
  it.each(cases)('%s', async (_name, curlArgs, options, pathAndQuery = '/') => {
    const url = `http://127.0.0.1:${server.port}${pathAndQuery}`;
    const curl = await curlSends([...curlArgs, '-g', url]);
    const porthole = await portholeSends(options, url);
    expect(porthole).toBe(curl);
  });

  it('sends URL credentials percent-decoded, as curl', async () => {
    const url = `http://a%40:b%3a@127.0.0.1:${server.port}/`;
    const curl = await curlSends([url]);
    const porthole = await portholeSends({}, url);
    expect(porthole).toBe(curl);
    expect(porthole).toContain('Authorization: Basic YUA6Yjo=\r\n');
  });

  it('sends the body after the head for an upload that expects 100 Continue', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'porthole-upload-'));
    try {
      const file = path.join(directory, 'up.txt');
      await writeFile(file, 'abc');
      const url = `http://127.0.0.1:${server.port}/up.txt`;
      const curl = await curlSends(['-T', file, `http://127.0.0.1:${server.port}/`]);
      const porthole = await portholeSends({method: 'PUT', body: 'abc', expectContinue: true}, url);
      expect(porthole).toBe(curl);
      expect(porthole).toMatch(/Content-Length: 3\r\nExpect: 100-continue\r\n\r\nabc$/);
    } finally {
      await rm(directory, {recursive: true, force: true});
    }
  });
});
