/** Each transcript line's layer, as the transcript tab tags it, from real exchanges on loopback. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {sendRequest} from '../../source/request/send-request.js';
import {transcriptLayer} from '../../source/request/transcript.js';
import {transcriptText} from '../../source/request/describe.js';
import {responseLines, transcriptRow} from '../../source/ui/request/response-lines.js';
import type {RequestResult} from '../../source/request/types.js';
import {closedPort, httpsServer, type Loopback} from '../helpers/servers.js';
import {selfSignedCertificate} from '../helpers/tls.js';
import type https from 'node:https';

/** `LAYER text` for each line, as curl -v writes the text. */
const tagged = (result: RequestResult) =>
  result.transcript.map((line) => `${transcriptLayer(line)} ${transcriptText(line)}`);

describe('transcript layers', () => {
  let server: Loopback<https.Server>;
  beforeAll(async () => {
    server = await httpsServer(selfSignedCertificate(), (_request, response) => response.end('ok'));
  });
  afterAll(() => server.close());

  it('tags the name lookup DNS, connecting TCP, the handshake TLS and the exchange HTTP', async () => {
    const result = await sendRequest({
      url: `https://localhost:${server.port}/`,
      insecure: true,
    });
    expect(result.response?.status).toBe(200);
    const lines = tagged(result);
    expect(lines).toContain('DNS * Host localhost was resolved.');
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^DNS \* IPv4: 127\.0\.0\.1/)]),
    );
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^TCP \* Trying 127\.0\.0\.1:/)]),
    );
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^TCP \* Connected to localhost/)]),
    );
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^TLS \* SSL connection using TLSv1\.3/)]),
    );
    expect(lines).toContain('TLS *  subject: CN=localhost');
    expect(lines).toContain('HTTP > GET / HTTP/1.1');
    expect(lines).toContain('HTTP < HTTP/1.1 200 OK');
    // Layers come in the order of the exchange: no DNS line after the first TCP one, and so on.
    const order = result.transcript.map((line) =>
      ['DNS', 'TCP', 'TLS', 'HTTP'].indexOf(transcriptLayer(line)),
    );
    const firstHttp = order.indexOf(3);
    expect(
      order
        .slice(0, firstHttp)
        .every((layer, index, all) => index === 0 || layer >= all[index - 1]!),
    ).toBe(true);
  });

  it('tags a refused connection TCP', async () => {
    const result = await sendRequest({url: `http://127.0.0.1:${await closedPort()}/`});
    expect(result.error?.code).toBe('refused');
    const last = result.transcript.at(-1)!;
    expect(transcriptLayer(last)).toBe('TCP');
  });

  it('puts the short tag in front of each line of the transcript tab, curl -v text unchanged', async () => {
    const result = await sendRequest({url: `https://localhost:${server.port}/`, insecure: true});
    const rows = responseLines(result, 'transcript', 100);
    expect(rows).toHaveLength(result.transcript.length);
    rows.forEach((row, index) => {
      const line = result.transcript[index]!;
      expect(row).toBe(transcriptRow(line));
      expect(row).toMatch(/^(DNS |TCP |TLS |HTTP) [*<>]/);
      expect(row.slice(5)).toBe(transcriptText(line, {mask: true}));
    });
  });
});
