/**
 * Byte for byte, what porthole sends for a pasted curl command against what curl 7.88.1 sends for
 * it, over a corpus of commands as people paste them. Both go to one capture server on loopback
 * (`--connect-to ::127.0.0.1:PORT` on curl's side, the same override on porthole's), with
 * `https://` read as `http://`: the HTTP/1.1 bytes are the point. See test/helpers/curl-wire.ts
 * for what is normalised (each tool's User-Agent, Connection, a made-up multipart boundary).
 */
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {planRequest, readCurlText} from '../../source/request/curl/index.js';
import {badInput, corpus} from '../fixtures/curl-corpus.js';
import {
  describeDifferences,
  fidelityReport,
  normalise,
  openWire,
  type Comparison,
  type Wire,
} from '../helpers/curl-wire.js';

let wire: Wire;
const compared = new Map<string, Comparison>();

beforeAll(async () => {
  wire = await openWire();
});

afterAll(async () => {
  await wire.close();
});

async function comparison(index: number): Promise<Comparison> {
  const entry = corpus[index];
  if (entry === undefined) throw new Error(`no corpus entry ${index}`);
  const known = compared.get(entry.name);
  if (known) return known;
  const result = await wire.compare(entry);
  compared.set(entry.name, result);
  return result;
}

describe('curl, the ground truth', () => {
  it('has at least 60 commands, each named once', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    expect(new Set(corpus.map((entry) => entry.name)).size).toBe(corpus.length);
  });

  it('sends the same bytes twice for the same command, boundary aside', async () => {
    const stable = corpus.filter((entry) =>
      /slack: file upload|Mailgun|-T to a URL|chrome: search|twilio|--json @-/.test(entry.name),
    );
    expect(stable.length).toBe(6);
    for (const entry of stable) {
      const script = wire.prepare(entry.shell ?? entry.paste);
      const first = await wire.runCurl(script, entry.stdin);
      const second = await wire.runCurl(script, entry.stdin);
      expect(first.problem, entry.name).toBeUndefined();
      expect(first.wire, entry.name).toBeDefined();
      expect(second.wire, entry.name).toBe(first.wire);
    }
  });

  it('keeps the Host of the URL when --connect-to sends it elsewhere', async () => {
    const result = await wire.runCurl(
      'curl -H "Accept: text/plain" http://api.github.com:8443/zen',
    );
    expect(result.wire).toBe(
      'GET /zen HTTP/1.1\r\nHost: api.github.com:8443\r\nAccept: text/plain\r\n\r\n',
    );
  });

  it('answers Expect: 100-continue and records that it did', async () => {
    const result = await wire.runCurl('curl -T notes.txt http://files.example/up/');
    const [capture] = result.captures;
    expect(capture?.continued).toBe(true);
    expect(capture?.complete).toBe(true);
    expect(capture?.head).toContain('Expect: 100-continue\r\n');
    expect(capture?.head.startsWith('PUT /up/notes.txt HTTP/1.1\r\nHost: files.example\r\n')).toBe(
      true,
    );
    expect(capture?.body.toString()).toBe('first line\nsecond line\n');
  });

  it('reads a chunked body to its end', async () => {
    const result = await wire.runCurl(
      "curl -H 'Transfer-Encoding: chunked' -d 'abc' http://chunks.example/",
    );
    expect(result.captures[0]?.complete).toBe(true);
    expect(result.captures[0]?.body.toString()).toBe('3\r\nabc\r\n0\r\n\r\n');
  });

  it('normalises a made-up boundary and the length it changes, not one in the paste', () => {
    const boundary = '------------------------0123456789abcdef';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--${boundary}--\r\n`;
    const head = `POST / HTTP/1.1\r\nHost: h\r\nUser-Agent: curl/7.88.1\r\nContent-Length: ${body.length}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n\r\n`;
    const capture = {
      bytes: Buffer.from(head + body, 'latin1'),
      head,
      body: Buffer.from(body, 'latin1'),
      continued: false,
      complete: true,
    };
    const normalised = normalise(capture, 'curl -F a=1 http://h/');
    const shorter = body.replaceAll(boundary, '<boundary>');
    expect(normalised).toBe(
      `POST / HTTP/1.1\r\nHost: h\r\nContent-Length: ${shorter.length}\r\nContent-Type: multipart/form-data; boundary=<boundary>\r\n\r\n${shorter}`,
    );
    expect(normalise(capture, `curl -H 'content-type: x; boundary=${boundary}'`)).toBe(
      `POST / HTTP/1.1\r\nHost: h\r\nContent-Length: ${body.length}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n\r\n${body}`,
    );
  });

  it('names each difference by header, order and byte', () => {
    expect(
      describeDifferences(
        'GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\nabc',
        'GET / HTTP/1.1\r\nHost: h\r\nB: 2\r\nA: 1\r\nC: 4\r\nD: 5\r\n\r\nabd',
      ),
    ).toEqual([
      'header differs: curl "C: 3", porthole "C: 4"',
      'header only porthole sends: "D: 5"',
      'header order: curl [host, a, b], porthole [host, b, a]',
      'body (curl 3 bytes, porthole 3) differs at byte 2: curl "abc", porthole "abd"',
    ]);
  });
});

describe('porthole sends what curl sends', () => {
  it.each(corpus.map((entry, index) => [entry.name, index] as const))('%s', async (_, index) => {
    const result = await comparison(index);
    expect(result.curl.problem, 'curl itself').toBeUndefined();
    expect(result.differences).toEqual([]);
    expect(result.porthole.wire).toBe(result.curl.wire);
  });

  it('is identical for at least 95% of the corpus', async () => {
    const all: Comparison[] = [];
    for (let index = 0; index < corpus.length; index++) all.push(await comparison(index));
    const report = fidelityReport(all);
    console.log(report);
    const same = all.filter((each) => each.same).length;
    expect(same / all.length, report).toBeGreaterThanOrEqual(0.95);
  });
});

describe('the way a paste arrives changes nothing', () => {
  const command = String.raw`curl -X POST 'https://api.example.com/v1/orders?dry_run=1' \
  -H 'Content-Type: application/json' \
  -H "Authorization: Bearer sk_test_abc" \
  -d '{"item": "tea", "qty": 2}'`;
  const variants: Array<[string, string]> = [
    ['LF', command],
    ['CR', command.replaceAll('\n', '\r')],
    ['CR LF', command.replaceAll('\n', '\r\n')],
    ['bracketed paste', `\x1b[200~${command}\x1b[201~`],
    ['bracketed paste with CR', `\x1b[200~${command.replaceAll('\n', '\r')}\x1b[201~`],
    ['a trailing newline', `${command}\n`],
  ];

  it.each(variants)('%s', async (_, paste) => {
    const curl = await wire.runCurl(wire.prepare(command));
    expect(curl.wire).toBeDefined();
    const porthole = await wire.runPorthole(wire.prepare(paste));
    expect(porthole.problem).toBeUndefined();
    expect(porthole.wire).toBe(curl.wire);
  });
});

describe('what curl refuses, porthole refuses in one line', () => {
  it.each(badInput.map((entry) => [entry.name, entry] as const))('%s', async (_, entry) => {
    const curl = await wire.runCurl(entry.paste);
    expect(curl.captures).toEqual([]);
    expect(curl.problem).toContain(entry.curlSays.replace(/^bash: /, ''));

    const before = wire.tcp.requests.length;
    const command = readCurlText(entry.paste);
    let refusal = command;
    if (typeof command !== 'string') {
      const planned = await planRequest(command, {
        readFile: (file) => readFile(path.resolve(wire.directory, file)),
      });
      refusal = typeof planned === 'string' ? planned : '';
    }
    expect(typeof refusal).toBe('string');
    const line = refusal as string;
    expect(line).not.toBe('');
    expect(line).not.toContain('\n');
    expect(line).toMatch(entry.portholeSays);
    expect(wire.tcp.requests.length).toBe(before);
  });
});
