import type http from 'node:http';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {createConnectionPool} from '../../source/request/pool.js';
import {sendRequest} from '../../source/request/send-request.js';
import {connectionLines} from '../../source/ui/request/connection-lines.js';
import {responseLines} from '../../source/ui/request/response-lines.js';
import {httpServer, type Loopback} from '../helpers/servers.js';

let server: Loopback<http.Server>;

beforeAll(async () => {
  server = await httpServer((_request, response) => response.end('ok'));
});

afterAll(async () => {
  await server.close();
});

test('the timing tab names every answer, each address tried and the connection with its local port', async () => {
  const result = await sendRequest({
    url: `http://both.example.invalid:${server.port}/`,
    resolve: [{host: 'both.example.invalid', port: server.port, addresses: ['::1', '127.0.0.1']}],
  });
  const lines = connectionLines(result);
  expect(lines[0]).toBe(
    'dns        both.example.invalid → ::1 (IPv6), 127.0.0.1 (IPv4) · given by --resolve',
  );
  expect(lines[1]).toMatch(
    new RegExp(
      `^tried      \\[::1\\]:${server.port} failed \\(Connection refused\\) in [\\d.]+ [µm]s$`,
    ),
  );
  expect(lines[2]).toMatch(
    new RegExp(`^           127\\.0\\.0\\.1:${server.port} connected in [\\d.]+ [µm]s$`),
  );
  expect(lines[3]).toBe(
    `connection #${result.connection?.id} http/1.1 · 127.0.0.1:${result.connection?.localPort} → 127.0.0.1:${server.port} · new`,
  );
  expect(responseLines(result, 'timing', 80)).toEqual(expect.arrayContaining(lines));
});

test('a re-used connection says when it was opened and how many requests it carried', async () => {
  const pool = createConnectionPool();
  try {
    await sendRequest({url: `${server.origin}/`, pool});
    const second = await sendRequest({url: `${server.origin}/`, pool});
    const opened = second.connection?.openedAt ?? 0;
    expect(connectionLines(second, opened + 12_000).at(-1)).toBe(
      `connection #${second.connection?.id} http/1.1 · 127.0.0.1:${second.connection?.localPort} → 127.0.0.1:${server.port} · re-used, opened 12 s ago, 2 requests`,
    );
  } finally {
    pool.close();
  }
});
