/**
 * On a host without IPv6 routes: a network namespace the test makes itself, with loopback up and
 * nothing else, so IPv6 beyond ::1 (and IPv4 beyond 127/8) is unreachable. The engine runs inside
 * it in a child process; the namespace is removed after, also on failure.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';

const namespace = `porthole-test-${process.pid}`;

function canMakeNamespaces(): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('ip', ['netns', 'list'], {stdio: 'ignore'}).status === 0;
}

const possible = canMakeNamespaces();

/** Runs `script` (an ES module body with sendRequest in scope) in the namespace; its JSON output. */
function inNamespace(script: string): unknown {
  const program = `
    import net from 'node:net';
    import {sendRequest} from './source/request/send-request.ts';
    ${script}
  `;
  const output = execFileSync(
    'ip',
    [
      'netns',
      'exec',
      namespace,
      process.execPath,
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      program,
    ],
    {cwd: process.cwd(), encoding: 'utf8', timeout: 20_000},
  );
  return JSON.parse(output.trim().split('\n').at(-1) ?? 'null');
}

describe.skipIf(!possible)('on a host without IPv6 routes', () => {
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', namespace]);
    execFileSync('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
  });

  afterAll(() => {
    spawnSync('ip', ['netns', 'delete', namespace], {stdio: 'ignore'});
  });

  test('a name with only an AAAA answer fails at once with one clear line', () => {
    const result = inNamespace(`
      const result = await sendRequest({
        url: 'http://v6only.example.invalid:8080/',
        resolve: [{host: 'v6only.example.invalid', port: 8080, addresses: ['2001:db8::5']}],
        connectTimeoutMs: 5000,
      });
      console.log(JSON.stringify({error: result.error, attempts: result.dns?.attempts}));
    `) as {
      error: {code: string; message: string};
      attempts: Array<{outcome: string; error?: string}>;
    };
    expect(result.error.code).toBe('network');
    expect(result.error.message).toBe(
      'network unreachable for [2001:db8::5]:8080: this host has no route for IPv6 there',
    );
    expect(result.error.message).not.toContain('\n');
    expect(result.attempts).toEqual([
      expect.objectContaining({outcome: 'failed', error: 'Network is unreachable'}),
    ]);
  });

  test('AAAA and A answers: the unreachable IPv6 address is passed over for IPv4 loopback', () => {
    const result = inNamespace(`
      const server = net.createServer((socket) => socket.end('HTTP/1.1 204 No Content\\r\\n\\r\\n'));
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = server.address().port;
      const result = await sendRequest({
        url: 'http://both.example.invalid:' + port + '/',
        resolve: [{host: 'both.example.invalid', port, addresses: ['2001:db8::5', '127.0.0.1']}],
      });
      server.close();
      console.log(JSON.stringify({status: result.response?.status, error: result.error, attempts: result.dns?.attempts}));
    `) as {status: number; attempts: Array<{address: string; outcome: string}>};
    expect(result.status).toBe(204);
    expect(result.attempts.map((attempt) => [attempt.address, attempt.outcome])).toEqual([
      ['2001:db8::5', 'failed'],
      ['127.0.0.1', 'connected'],
    ]);
  });
});
