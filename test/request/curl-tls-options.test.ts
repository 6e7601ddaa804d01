import {execFile} from 'node:child_process';
import {createHash, createPrivateKey, createPublicKey} from 'node:crypto';
import {mkdir, mkdtemp, readFile, rm, symlink, writeFile} from 'node:fs/promises';
import type http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import {Writable} from 'node:stream';
import type {TLSSocket} from 'node:tls';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
  curlOptionHelp,
  formOfCommand,
  planRequest,
  readCurlArgs,
  readCurlText,
  toCurl,
  type CurlCommand,
  type PlanIo,
} from '../../source/request/curl/index.js';
import {runRequestCommand} from '../../source/cli/request-command.js';
import {certAndPassword} from '../../source/request/curl/tls-files.js';
import {planForm, readPaste} from '../../source/request/plan-form.js';
import {httpsServer, type Loopback} from '../helpers/servers.js';
import {certificateAuthority, selfSignedCertificate, type TestCertificate} from '../helpers/tls.js';

const execFileAsync = promisify(execFile);

let dir: string;
let server: TestCertificate;
let client: TestCertificate;
let other: TestCertificate;
let authority: string;
let secondAuthority: string;
let signedServer: TestCertificate;
const io: PlanIo = {readFile: (file) => readFile(path.resolve(dir, file))};
const at = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'porthole-curl-tls-'));
  server = selfSignedCertificate();
  const ca = certificateAuthority();
  authority = ca.ca;
  client = ca.issue('porthole client', 'DNS:client.test');
  other = ca.issue('someone else', 'DNS:other.test');
  signedServer = ca.issue('localhost', 'DNS:localhost,IP:127.0.0.1');
  secondAuthority = certificateAuthority().ca;
  await writeFile(at('client.pem'), client.cert);
  await writeFile(at('client.key'), client.key);
  await writeFile(at('other.key'), other.key);
  await writeFile(at('both.pem'), client.cert + client.key);
  // The chain as curl users keep it: the leaf, then the authority.
  await writeFile(at('chain.pem'), client.cert + authority + client.key);
  await writeFile(at('not-pem.txt'), 'just some text\n');
  await writeFile(
    at('client-encrypted.key'),
    createPrivateKey(client.key).export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 's3cret',
    }),
  );
  await writeFile(at('a:b.pem'), client.cert + client.key);
  const publicKey = createPublicKey(server.cert);
  await writeFile(at('server-public.pem'), publicKey.export({type: 'spki', format: 'pem'}));
  await writeFile(at('server-public.der'), publicKey.export({type: 'spki', format: 'der'}));
  await writeFile(at('server-cert.pem'), server.cert);

  // A --capath directory as c_rehash leaves it, with files that are not certificates beside.
  await mkdir(at('cas'));
  await writeFile(at('cas/first.pem'), authority);
  await writeFile(at('cas/second.crt'), secondAuthority);
  await symlink(at('cas/first.pem'), at('cas/0badc0de.0'));
  await symlink(at('cas/gone.pem'), at('cas/1badc0de.0'));
  await writeFile(at('cas/server.cer'), server.cert);
  await writeFile(at('cas/readme.txt'), server.cert);
  await mkdir(at('cas/nested.pem'));
  await mkdir(at('empty'));
  await mkdir(at('no-certs'));
  await writeFile(
    at('no-certs/fake.pem'),
    '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
  );
});
afterAll(() => rm(dir, {recursive: true, force: true}));

function read(text: string): CurlCommand {
  const command = readCurlText(text);
  if (typeof command === 'string') throw new Error(command);
  return command;
}

async function planned(text: string) {
  const plan = await planRequest(read(text), io);
  if (typeof plan === 'string') throw new Error(plan);
  return plan;
}

const spkiHash = (certificate: string) =>
  createHash('sha256')
    .update(createPublicKey(certificate).export({type: 'spki', format: 'der'}))
    .digest('base64');

describe('HTTP versions', () => {
  it.each([
    ['--http2', '2'],
    ['--http2-prior-knowledge', '2-prior-knowledge'],
    ['--http1.1', '1.1'],
    ['--http1.0', '1.0'],
    ['-0', '1.0'],
  ])('plans %s as httpVersion %s, pasted and as arguments', async (flag, version) => {
    expect(read(`curl ${flag} https://h/`).httpVersion).toBe(version);
    expect(readCurlArgs([flag, 'https://h/'])).toMatchObject({httpVersion: version});
    const plan = await planned(`curl ${flag} https://h/`);
    expect(plan.options.httpVersion).toBe(version);
    expect(plan.notes).toEqual([]);
  });

  it('leaves the version to the engine when none is given', async () => {
    expect((await planned('curl https://h/')).options.httpVersion).toBeUndefined();
  });

  it('notes that --http2 on http:// goes out as HTTP/1.1, not as an h2c upgrade', async () => {
    const plan = await planned('curl --http2 http://h/');
    expect(plan.notes).toEqual([
      '--http2 on http:// is sent as HTTP/1.1; use --http2-prior-knowledge for h2c',
    ]);
    expect((await planned('curl --http2-prior-knowledge http://h/')).notes).toEqual([]);
  });

  it('keeps -4, -6, --resolve and --connect-to as they were', async () => {
    const plan = await planned(
      'curl -6 --http2 --resolve h:443:::1 --connect-to h:443:127.0.0.1:8443 https://h/',
    );
    expect(plan.options).toMatchObject({
      family: 6,
      httpVersion: '2',
      resolve: [{host: 'h', port: 443, addresses: ['::1']}],
      connectTo: [{host: 'h', port: 443, toHost: '127.0.0.1', toPort: 8443}],
    });
    expect((await planned('curl -4 https://h/')).options.family).toBe(4);
  });
});

describe('--capath', () => {
  it('trusts every certificate in the directory once, after --cacert', async () => {
    const plan = await planned(
      `curl --cacert ${at('server-cert.pem')} --capath ${at('cas')} https://h/`,
    );
    const ca = plan.options.ca as Array<string | Uint8Array>;
    expect(Array.isArray(ca)).toBe(true);
    expect(Buffer.from(ca[0] ?? '').toString()).toBe(server.cert);
    // first.pem and its hash link are one authority; readme.txt is not a certificate file name.
    expect(ca.slice(1).map((each) => String(each).trim())).toEqual(
      [authority, secondAuthority, server.cert].map((pem) => pem.trim()),
    );
  });

  it.each([
    ['missing', 'cannot read --capath directory DIR/missing: no such directory'],
    ['client.pem', 'cannot read --capath directory DIR/client.pem: it is not a directory'],
    ['empty', 'no PEM certificate in --capath directory DIR/empty'],
    ['no-certs', 'no PEM certificate in --capath directory DIR/no-certs'],
  ])('says in one line what is wrong with --capath %s', async (name, message) => {
    expect(await planRequest(read(`curl --capath ${at(name)} https://h/`), io)).toBe(
      message.replace('DIR', dir),
    );
  });
});

describe('client certificates', () => {
  it('takes the key from the certificate file when no --key is given, as curl', async () => {
    const plan = await planned('curl -E both.pem https://h/');
    expect(plan.options.cert).toBe(client.cert.trim());
    expect(plan.options.key).toBe(client.key.trim());
    expect(plan.options.passphrase).toBeUndefined();
  });

  it('sends the whole chain, leaf first, and a --key file', async () => {
    const chain = await planned('curl --cert chain.pem https://h/');
    expect(chain.options.cert).toBe(`${client.cert.trim()}\n${authority.trim()}`);
    const separate = await planned(
      'curl --cert client.pem --key client.key --key-type PEM https://h/',
    );
    expect(separate.options.key).toBe(client.key.trim());
  });

  it('reads the passphrase after the colon of --cert, or from --pass', async () => {
    const colon = await planned(
      'curl --cert client.pem:s3cret --key client-encrypted.key https://h/',
    );
    expect(colon.options.passphrase).toBe('s3cret');
    expect(colon.options.key).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const pass = await planned(
      'curl --cert client.pem --key client-encrypted.key --pass s3cret https://h/',
    );
    expect(pass.options.passphrase).toBe('s3cret');
  });

  it('splits FILE:PASSWORD at the first colon not after a backslash', () => {
    expect(certAndPassword('a.pem')).toEqual({file: 'a.pem'});
    expect(certAndPassword('a.pem:pw:x')).toEqual({file: 'a.pem', password: 'pw:x'});
    expect(certAndPassword('a\\:b.pem:pw')).toEqual({file: 'a:b.pem', password: 'pw'});
    expect(certAndPassword('a\\\\:pw')).toEqual({file: 'a\\', password: 'pw'});
    expect(certAndPassword('a\\b.pem')).toEqual({file: 'a\\b.pem'});
  });

  it('reads a file whose name holds an escaped colon', async () => {
    const plan = await planned(String.raw`curl --cert 'a\:b.pem' https://h/`);
    expect(plan.options.cert).toBe(client.cert.trim());
  });

  it.each([
    ['curl --cert not-pem.txt https://h/', 'not a PEM certificate: not-pem.txt'],
    ['curl --cert client.key https://h/', 'not a PEM certificate: client.key'],
    ['curl --cert client.pem --key not-pem.txt https://h/', 'not a PEM private key: not-pem.txt'],
    ['curl --cert client.pem https://h/', 'no private key in client.pem: give it with --key'],
    [
      'curl --cert client.pem --key other.key https://h/',
      'the key in other.key does not match the certificate in client.pem',
    ],
    [
      'curl --cert client.pem --key client-encrypted.key https://h/',
      'the key in client-encrypted.key is encrypted: give its passphrase with --pass',
    ],
    [
      'curl --cert client.pem:wrong --key client-encrypted.key https://h/',
      'cannot decrypt the key in client-encrypted.key: wrong passphrase',
    ],
    ['curl --cert missing.pem https://h/', 'cannot read --cert file missing.pem: no such file'],
    ['curl --cacert not-pem.txt https://h/', 'not a PEM certificate: not-pem.txt'],
    ['curl --cacert client.key https://h/', 'not a PEM certificate: client.key'],
  ])('says in one line why it does not send: %s', async (text, message) => {
    expect(await planRequest(read(text), io)).toBe(message);
  });

  it.each([
    ['--cert-type DER', '--cert-type "DER": only PEM is supported'],
    ['--cert-type P12', '--cert-type "P12": only PEM is supported'],
    ['--key-type ENG', '--key-type "ENG": only PEM is supported'],
  ])('refuses %s as it reads the command', (option, message) => {
    expect(readCurlText(`curl --cert c.pem ${option} https://h/`)).toBe(message);
    expect(readCurlArgs(['--cert', 'c.pem', ...option.split(' '), 'https://h/'])).toBe(message);
  });

  it('notes --key and --pass without --cert', async () => {
    expect((await planned('curl --key client.key --pass x https://h/')).notes).toEqual([
      '--key has no effect without --cert',
      '--pass has no effect without --cert',
    ]);
  });
});

describe('--pinnedpubkey', () => {
  const hash = () => spkiHash(server.cert);

  it('reads sha256// hashes separated by ;', async () => {
    const a = hash();
    const b = spkiHash(client.cert);
    const plan = await planned(
      `curl --pinnedpubkey 'sha256//${a};sha256//${b.slice(0, -1)}' https://h/`,
    );
    expect(plan.options.pinnedPublicKeys).toEqual([a, b]);
  });

  it.each(['server-public.pem', 'server-public.der', 'server-cert.pem'])(
    'hashes the public key of %s',
    async (file) => {
      expect(
        (await planned(`curl --pinnedpubkey ${file} https://h/`)).options.pinnedPublicKeys,
      ).toEqual([hash()]);
    },
  );

  it.each([
    [
      'sha256//short',
      'bad --pinnedpubkey "sha256//short": each is sha256// and the base64 of a SHA-256 hash',
    ],
    ['not-pem.txt', 'not a public key or certificate (PEM or DER): not-pem.txt (--pinnedpubkey)'],
    ['client.key', 'not a public key or certificate (PEM or DER): client.key (--pinnedpubkey)'],
    ['nowhere.pem', 'cannot read --pinnedpubkey file nowhere.pem: no such file'],
  ])('says in one line what is wrong with %s', async (value, message) => {
    expect(await planRequest(read(`curl --pinnedpubkey ${value} https://h/`), io)).toBe(message);
  });

  describe('against real curl', () => {
    let tls: Loopback<Awaited<ReturnType<typeof httpsServer>>['server']>;
    beforeAll(async () => {
      tls = await httpsServer(server, (_request, response) => response.end('pinned\n'));
    });
    afterAll(() => tls.close());

    it('computes the hash curl accepts, from each kind of file', async () => {
      for (const file of ['server-public.pem', 'server-public.der', 'server-cert.pem']) {
        const plan = await planned(`curl --pinnedpubkey ${file} https://h/`);
        const [pin] = plan.options.pinnedPublicKeys ?? [];
        const {stdout} = await execFileAsync('curl', [
          '-sk',
          '--pinnedpubkey',
          `sha256//${pin}`,
          tls.origin,
        ]);
        expect(stdout).toBe('pinned\n');
      }
      // And curl refuses one that is not the server's, so the check above can fail.
      await expect(
        execFileAsync('curl', [
          '-sk',
          '--pinnedpubkey',
          `sha256//${spkiHash(client.cert)}`,
          tls.origin,
        ]),
      ).rejects.toMatchObject({code: 90});
    });
  });
});

describe('a paste into the Request pane', () => {
  it('plans every TLS option from the form the paste fills', async () => {
    const pasted = readPaste(
      `curl --http2 --capath ${at('cas')} -E ${at('client.pem')}:s3cret --key ${at('client-encrypted.key')} --pinnedpubkey ${at('server-cert.pem')} https://h/`,
    );
    if (typeof pasted === 'string') throw new Error(pasted);
    const plan = await planForm(pasted.form, {});
    if (typeof plan === 'string') throw new Error(plan);
    expect(plan.options).toMatchObject({
      httpVersion: '2',
      cert: client.cert.trim(),
      passphrase: 's3cret',
      pinnedPublicKeys: [spkiHash(server.cert)],
    });
    expect(plan.options.ca).toHaveLength(3);
    expect(plan.options.key).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
  });

  it('says in one line what is wrong with a pasted file', async () => {
    const pasted = readPaste(`curl --cert ${at('client.pem')} --key ${at('other.key')} https://h/`);
    if (typeof pasted === 'string') throw new Error(pasted);
    expect(await planForm(pasted.form, {})).toBe(
      `the key in ${at('other.key')} does not match the certificate in ${at('client.pem')}`,
    );
    expect(readPaste('curl --key-type DER https://h/')).toBe(
      '--key-type "DER": only PEM is supported',
    );
  });
});

describe('help and the form', () => {
  it('lists the new options for porthole request --help', () => {
    const flags = curlOptionHelp.map((option) => option.flags);
    for (const flag of [
      '--http2',
      '--http2-prior-knowledge',
      '--capath DIR',
      '-E, --cert FILE[:PASSWORD]',
      '--cert-type TYPE',
      '--key FILE',
      '--key-type TYPE',
      '--pass PHRASE',
      '--pinnedpubkey HASHES|FILE',
    ]) {
      expect(flags).toContain(flag);
    }
  });

  it('keeps every TLS option through the form and copy as curl', () => {
    const text =
      "curl https://h/ --http2-prior-knowledge --capath /etc/ssl/certs -E 'c.pem:pw' --cert-type PEM --key k.pem --key-type pem --pass 'a b' --pinnedpubkey 'sha256//x;sha256//y'";
    const form = formOfCommand(read(text));
    expect(form.options).toBe(
      "--capath /etc/ssl/certs --cert c.pem:pw --cert-type PEM --key k.pem --key-type pem --pass 'a b' --pinnedpubkey 'sha256//x;sha256//y' --http2-prior-knowledge",
    );
    const back = read(toCurl(form));
    expect(formOfCommand(back)).toEqual(form);
    expect(back).toMatchObject({
      httpVersion: '2-prior-knowledge',
      capath: '/etc/ssl/certs',
      cert: 'c.pem:pw',
      key: 'k.pem',
      pass: 'a b',
      pinnedPublicKey: 'sha256//x;sha256//y',
    });
    expect(formOfCommand(read('curl --http2 https://h/')).options).toBe('--http2');
  });
});

/** An https server on 127.0.0.1 port 0 whose close() ends the connections still open. */
async function listen(server: https.Server): Promise<Loopback<https.Server>> {
  const sockets = new Set<TLSSocket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // A client without a certificate is refused mid-handshake: that is what the test provokes.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    server,
    port: address.port,
    origin: `https://127.0.0.1:${address.port}`,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('through porthole request, against real TLS servers', () => {
  let mutual: Loopback<https.Server>;
  let signed: Loopback<https.Server>;
  beforeAll(async () => {
    const handler: http.RequestListener = (request, response) => {
      const peer = (request.socket as TLSSocket).getPeerCertificate();
      const name = [peer.subject?.CN ?? 'stranger'].flat().join(', ');
      response.end(`hello ${name}\n`);
    };
    mutual = await listen(
      https.createServer(
        {...server, requestCert: true, rejectUnauthorized: true, ca: authority},
        handler,
      ),
    );
    signed = await httpsServer(signedServer, handler);
  });
  afterAll(async () => {
    await mutual.close();
    await signed.close();
  });

  async function request(args: string[]) {
    const chunks = {stdout: [] as Buffer[], stderr: [] as Buffer[]};
    const sink = (into: Buffer[]) =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          into.push(Buffer.from(chunk));
          done();
        },
      });
    const code = await runRequestCommand(args, {
      stdout: sink(chunks.stdout),
      stderr: sink(chunks.stderr),
      cwd: dir,
    });
    return {
      code,
      stdout: Buffer.concat(chunks.stdout).toString(),
      stderr: Buffer.concat(chunks.stderr).toString(),
    };
  }

  it('presents the client certificate the server asks for, its key from the same file', async () => {
    expect(await request(['-k', '-E', at('both.pem'), mutual.origin])).toMatchObject({
      code: 0,
      stdout: 'hello porthole client\n',
    });
    const encrypted = await request([
      '-k',
      '--cert',
      `${at('client.pem')}:s3cret`,
      '--key',
      at('client-encrypted.key'),
      mutual.origin,
    ]);
    expect(encrypted).toMatchObject({code: 0, stdout: 'hello porthole client\n'});
    // Without one the server ends the handshake, so the test above could fail.
    const without = await request(['-k', mutual.origin]);
    expect(without.code).toBe(1);
    expect(without.stdout).toBe('');
  });

  it('trusts an authority from --capath, and not without it', async () => {
    expect(await request(['--capath', at('cas'), signed.origin])).toMatchObject({
      code: 0,
      stdout: 'hello stranger\n',
    });
    const unknown = await request(['--capath', at('no-certs'), signed.origin]);
    expect(unknown.code).toBe(2);
    const untrusted = await request([signed.origin]);
    expect(untrusted.code).toBe(1);
  });

  it('refuses a server whose key is not the pinned one, even with -k', async () => {
    // A pin from a DER key file, beside a client certificate: both hold.
    const pinned = await request([
      '-k',
      '-E',
      at('both.pem'),
      '--pinnedpubkey',
      at('server-public.der'),
      mutual.origin,
    ]);
    expect(pinned).toMatchObject({code: 0, stdout: 'hello porthole client\n'});
    const right = await request([
      '-k',
      '--pinnedpubkey',
      `sha256//${spkiHash(signedServer.cert)}`,
      signed.origin,
    ]);
    expect(right).toMatchObject({code: 0, stdout: 'hello stranger\n'});
    const wrong = await request([
      '-k',
      '--pinnedpubkey',
      `sha256//${spkiHash(client.cert)}`,
      signed.origin,
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(
      `public key (sha256//${spkiHash(signedServer.cert)}) does not match the pinned public key`,
    );
  });
});
