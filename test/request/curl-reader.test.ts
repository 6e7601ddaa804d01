import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {readFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
  commandOfForm,
  cookieJarText,
  curlOptionHelp,
  formOfCommand,
  planRequest,
  readCurlArgs,
  readCurlText,
  toCurl,
  type CurlCommand,
  type CurlForm,
  type PlanIo,
} from '../../source/request/curl/index.js';

let dir: string;
const io: PlanIo = {readFile: (file) => readFile(path.resolve(dir, file))};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'porthole-curl-'));
  await writeFile(path.join(dir, 'body.txt'), 'line one\r\nline two\n');
  await writeFile(path.join(dir, 'photo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  await writeFile(
    path.join(dir, 'cookies.txt'),
    [
      '# Netscape HTTP Cookie File',
      'api.test\tFALSE\t/\tFALSE\t0\tsession\tabc',
      '.test\tTRUE\t/v1\tFALSE\t0\tdeep\t1',
      'other.test\tFALSE\t/\tFALSE\t0\tnot\tmine',
      'api.test\tFALSE\t/\tTRUE\t0\tsecure\tonly-https',
      '',
    ].join('\n'),
  );
});
afterAll(() => rm(dir, {recursive: true, force: true}));

function read(text: string): CurlCommand {
  const command = readCurlText(text);
  if (typeof command === 'string') throw new Error(command);
  return command;
}

async function planned(text: string, extra: Partial<PlanIo> = {}) {
  const plan = await planRequest(read(text), {...io, ...extra});
  if (typeof plan === 'string') throw new Error(plan);
  return plan;
}

describe('pastes as people paste them', () => {
  const multiline = [
    "curl 'https://api.test/v1/items?page=2' \\",
    "  -H 'accept: application/json' \\",
    "  -H 'authorization: Bearer abc' \\",
    '  --compressed',
  ];

  it.each([
    ['LF', '\n'],
    ['CR (what a terminal sends)', '\r'],
    ['CRLF', '\r\n'],
  ])('reads continuation lines ending in %s', (_name, end) => {
    const command = read(multiline.join(end));
    expect(command.url).toBe('https://api.test/v1/items?page=2');
    expect(command.headers).toEqual(['accept: application/json', 'authorization: Bearer abc']);
    expect(command.compressed).toBe(true);
  });

  it('reads a bracketed paste, a prompt and comment lines', () => {
    const text = `\u001b[200~# list the items\r$ ${multiline.join('\r')}\r\u001b[201~`;
    expect(read(text).headers).toHaveLength(2);
  });

  it("reads Chrome's Copy as cURL (cmd) with ^ escapes", () => {
    const text = [
      'curl ^"https://api.test/v1/items^" ^',
      '  -H ^"accept: */*^" ^',
      '  --data-raw ^"^{^\\^"name^\\^":^\\^"a b^\\^"^}^" ^',
      '  --compressed',
    ].join('\r\n');
    const command = read(text);
    expect(command.url).toBe('https://api.test/v1/items');
    expect(command.headers).toEqual(['accept: */*']);
    expect(command.data).toEqual([{kind: 'raw', value: '{"name":"a b"}'}]);
  });

  it("reads $'…' quoting, clustered switches and attached values", () => {
    const command = read("curl -sSLk -XPOST -HX-Id:7 $'http://h/\\x41' -d $'a\\nb'");
    expect(command).toMatchObject({
      method: 'POST',
      url: 'http://h/A',
      headers: ['X-Id:7'],
      location: true,
      insecure: true,
      data: [{kind: 'ascii', value: 'a\nb'}],
    });
    expect(command.output).toMatchObject({silent: true, showError: true});
  });

  it('stops at a pipe or a redirection, as the shell hands curl only its own words', () => {
    expect(read("curl -s http://h/x | jq '.items[]'").url).toBe('http://h/x');
    expect(read('curl http://h/x > out.json 2>&1').url).toBe('http://h/x');
    expect(read('curl http://h/x?a=1&b=2').url).toBe('http://h/x?a=1&b=2');
  });

  it.each([
    ["curl 'http://h/", 'unterminated single quote'],
    ['curl -H', 'curl option -H needs a value (HEADER)'],
    ['curl --frobnicate http://h/', 'unsupported curl option --frobnicate'],
    ['curl --http3 http://h/', 'unsupported curl option --http3 (HTTP/3 is not supported)'],
    ['wget http://h/', 'not a curl command (it should start with curl)'],
    ['curl http://a/ http://b/', 'more than one URL ("http://a/", "http://b/"); give one'],
    [
      'curl http://a/\ncurl http://b/',
      'more than one command in the paste; paste one curl command',
    ],
    [
      'curl -I -d x http://h/',
      '-I and -d ask for different requests; curl too takes only one of them',
    ],
  ])('says in one line what it cannot read: %s', (text, message) => {
    expect(readCurlText(text)).toBe(message);
  });

  it('lists every option it reads for --help', () => {
    const flags = curlOptionHelp.map((option) => option.flags).join(' ');
    for (const flag of ['-X', '-H', '--data-urlencode', '--json', '-F', '-T', '--resolve', '-w']) {
      expect(flags).toContain(flag);
    }
  });
});

describe('planning the request as curl builds it', () => {
  it('joins data with &, strips line ends of -d @file, keeps --data-binary as is', async () => {
    const plan = await planned('curl http://h/ -d a=1 -d @body.txt --data-binary @body.txt');
    expect(Buffer.from(plan.options.body ?? '').toString()).toBe(
      'a=1&line oneline two&line one\r\nline two\n',
    );
    expect(plan.options).toMatchObject({
      method: 'POST',
      bodyType: 'application/x-www-form-urlencoded',
    });
  });

  it('URL-encodes --data-urlencode in its five forms', async () => {
    const plan = await planned(
      "curl http://h/ --data-urlencode 'a b' --data-urlencode '=c&d' --data-urlencode 'n=é/x' --data-urlencode 'f@body.txt'",
    );
    expect(Buffer.from(plan.options.body ?? '').toString()).toBe(
      'a+b&c%26d&n=%C3%A9%2Fx&f=line+one%0D%0Aline+two%0A',
    );
  });

  it('puts -G data and --url-query in the query, and GETs', async () => {
    const plan = await planned(
      "curl -G 'http://h/s?x=1' -d q=a --data-urlencode 'w=b c' --url-query 'z=1 2'",
    );
    expect(plan.options).toMatchObject({method: 'GET', url: 'http://h/s?x=1&z=1+2&q=a&w=b+c'});
    expect(plan.options.body).toBeUndefined();
  });

  it('adds JSON headers after the given ones for --json, unless given', async () => {
    const plan = await planned(`curl http://h/ -H 'X-A: 1' --json '{"a":1}'`);
    expect(plan.options.headers).toEqual([
      ['X-A', '1'],
      ['Content-Type', 'application/json'],
      ['Accept', 'application/json'],
    ]);
    expect(plan.options.bodyType).toBeUndefined();
  });

  it('reads -H as curl does: Name; sends empty, Name: removes a default', async () => {
    const plan = await planned("curl http://h/ -H 'X-Empty;' -H 'Accept:' -H 'X-Sp:  v  '");
    expect(plan.options.headers).toEqual([
      ['X-Empty', ''],
      ['X-Sp', 'v  ', 'X-Sp:  v  '],
    ]);
    expect(plan.options.omitHeaders).toEqual(['Accept']);
  });

  it('builds multipart as curl: file type from the name, ;type= and ;filename=, <file as a field', async () => {
    const plan = await planned(
      "curl http://h/up -F name=x -F 'pic=@photo.png' -F 'doc=@body.txt;type=text/x;filename=a.txt' -F 'note=<body.txt'",
    );
    const type = plan.options.bodyType ?? '';
    const boundary = /boundary=(-{24}[0-9a-f]{16})$/.exec(type)?.[1];
    expect(type.startsWith('multipart/form-data; boundary=')).toBe(true);
    const body = Buffer.from(plan.options.body ?? '').toString('latin1');
    const b = `--${boundary}`;
    expect(body).toBe(
      `${b}\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n` +
        `${b}\r\nContent-Disposition: form-data; name="pic"; filename="photo.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n` +
        `${b}\r\nContent-Disposition: form-data; name="doc"; filename="a.txt"\r\nContent-Type: text/x\r\n\r\nline one\r\nline two\n\r\n` +
        `${b}\r\nContent-Disposition: form-data; name="note"\r\n\r\nline one\r\nline two\n\r\n` +
        `${b}--\r\n`,
    );
  });

  it('PUTs -T with Expect, naming the file when the URL has no file part', async () => {
    const plan = await planned('curl -T body.txt http://h/dir/');
    expect(plan.options).toMatchObject({
      method: 'PUT',
      url: 'http://h/dir/body.txt',
      expectContinue: true,
    });
  });

  it('asks for the password of -u user, and sends nothing when none is given', async () => {
    const asked: string[] = [];
    const plan = await planned('curl -u bob http://h/', {
      askPassword: async (user) => {
        asked.push(user);
        return 's3cret';
      },
    });
    expect(asked).toEqual(['bob']);
    expect(plan.options.user).toBe('bob:s3cret');
    expect(
      await planRequest(read('curl -u bob http://h/'), {...io, askPassword: async () => undefined}),
    ).toBe('no password given for bob: not sent');
  });

  it('sends the cookies of a cookie file that apply to the URL', async () => {
    const plan = await planned('curl -b cookies.txt http://api.test/v1/x');
    expect(plan.options.cookie).toBe('deep=1; session=abc');
    const strings = await planned("curl -b 'a=1' -b 'b=2' http://api.test/");
    expect(strings.options.cookie).toBe('a=1;b=2');
  });

  it('reads --resolve and --connect-to, brackets and empty parts included', async () => {
    const plan = await planned(
      'curl --resolve api.test:443:127.0.0.1,[::1] --connect-to ::127.0.0.1:8443 https://api.test/',
    );
    expect(plan.options.resolve).toEqual([
      {host: 'api.test', port: 443, addresses: ['127.0.0.1', '::1']},
    ]);
    expect(plan.options.connectTo).toEqual([
      {host: '', port: 0, toHost: '127.0.0.1', toPort: 8443},
    ]);
  });

  it('guesses http:// for a URL without a scheme, as curl', async () => {
    expect((await planned('curl localhost:8080/health')).options.url).toBe(
      'http://localhost:8080/health',
    );
  });

  it.each([
    ['curl -d @missing.txt http://h/', 'cannot read -d file missing.txt: no such file'],
    ["curl 'http://h/a b'", 'bad URL "http://h/a b": it contains a space (write it as %20)'],
    [
      'curl http://h:99999/',
      'bad URL "http://h:99999/": port 99999 is not a number from 1 to 65535',
    ],
    ["curl -H 'NoColon' http://h/", `bad -H value "NoColon": a header is 'Name: value'`],
    ['curl -T missing.bin http://h/', 'cannot read -T file missing.bin: no such file'],
    ['curl -d @- http://h/', '-d @- reads standard input, and there is none here'],
    ['curl ftp://h/', 'unsupported scheme ftp in "ftp://h/" (http, https, ws and wss only)'],
  ])('says in one line what it cannot send: %s', async (text, message) => {
    expect(await planRequest(read(text), io)).toBe(message);
  });
});

describe('the form and copy as curl', () => {
  it('fills the form: -H lines, a literal body, the rest as options', () => {
    const form = formOfCommand(
      read(
        "curl -X wHat 'http://h/x' -H 'A: 1' -d a=1 --data-urlencode 'b=c d' -u bob:pw --compressed -k -s -o out.json",
      ),
    );
    expect(form).toEqual({
      method: 'wHat',
      url: 'http://h/x',
      headers: 'A: 1',
      body: 'a=1&b=c+d',
      options: '-u bob:pw --compressed',
      insecure: true,
      followRedirects: false,
    } satisfies CurlForm);
  });

  it('keeps data that must be read from a file as an option', () => {
    const form = formOfCommand(read('curl http://h/ -d a=1 -d @body.txt'));
    expect(form.body).toBe('');
    expect(form.options).toBe('--data a=1 --data @body.txt');
  });

  it('writes a command that reads back into the same form, one option per line', () => {
    const form: CurlForm = {
      method: 'POST',
      url: 'http://h/x?q=1',
      headers: "Content-Type: application/json\nX-Quote: it's",
      body: '{"a": "b\nc"}',
      options: '-u bob --resolve h:80:127.0.0.1',
      insecure: false,
      followRedirects: true,
    };
    const text = toCurl(form, {multiline: true});
    expect(text.split('\n').slice(0, 3)).toEqual([
      "curl 'http://h/x?q=1' \\",
      "  -H 'Content-Type: application/json' \\",
      "  -H 'X-Quote: it'\\''s' \\",
    ]);
    expect(formOfCommand(read(text))).toEqual(form);
  });

  it('reads back every fuzzed form it writes', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const text = () =>
      Array.from({length: Math.floor(random() * 12)}, () =>
        pick([
          'a',
          'Z',
          ' ',
          "'",
          '"',
          '\\',
          '$',
          '`',
          '\n',
          '&',
          '=',
          '@',
          'é',
          '!',
          '#',
          ';',
          '|',
        ]),
      ).join('');
    for (let round = 0; round < 300; round++) {
      const body = random() < 0.5 ? '' : text();
      const form = formOfCommand(
        read(
          toCurl({
            method: pick(['GET', 'POST', 'PUT', 'HEAD', 'wHat', 'DELETE']),
            url: `http://h${round}.test/${encodeURIComponent(text())}`,
            headers: Array.from(
              {length: Math.floor(random() * 3)},
              (_, i) => `X-${i}: v${text().replace(/\n/g, '')}`,
            )
              .map((line) => line.trimEnd())
              .join('\n'),
            body,
            options: pick(['', '--compressed', "-u 'a:b c'", '-A x -e y -r 0-9']),
            insecure: random() < 0.5,
            followRedirects: random() < 0.5,
          }),
        ),
      );
      expect(formOfCommand(read(toCurl(form)))).toEqual(form);
      const command = commandOfForm(form);
      expect(typeof command).not.toBe('string');
    }
  });
});

describe('cookie jars', () => {
  it('keeps what the file had and what the response set', () => {
    const text = cookieJarText(
      'api.test\tFALSE\t/\tFALSE\t0\told\t1\n',
      new URL('http://api.test/v1/login'),
      [
        ['Set-Cookie', 'sid=xyz; Path=/; HttpOnly'],
        ['Set-Cookie', 'pref=dark; Domain=api.test; Max-Age=60'],
        ['Content-Type', 'text/plain'],
      ],
      1000,
    );
    expect(text.split('\n').slice(3)).toEqual([
      'api.test\tFALSE\t/\tFALSE\t0\told\t1',
      '#HttpOnly_api.test\tFALSE\t/\tFALSE\t0\tsid\txyz',
      '.api.test\tTRUE\t/v1\tFALSE\t1060\tpref\tdark',
      '',
    ]);
  });
});

it('reads the arguments of porthole request in any order', () => {
  expect(
    readCurlArgs(['-u', 'bob:pw', '--data-binary', '@body.json', 'https://api/x', '-i']),
  ).toMatchObject({
    url: 'https://api/x',
    user: 'bob:pw',
    data: [{kind: 'binary', value: '@body.json'}],
    output: {include: true},
  });
});
