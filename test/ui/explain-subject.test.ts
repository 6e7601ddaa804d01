/** What the explain panel is about, from the Request pane's view of a real response. */
import type {Server} from 'node:http';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {sendRequest} from '../../source/request/send-request.js';
import {initialRequestState} from '../../source/store/request-state.js';
import {requestSubject} from '../../source/ui/explain-subject.js';
import {responseLines, wrapLines} from '../../source/ui/request/response-lines.js';
import {httpServer, type Loopback} from '../helpers/servers.js';

let server: Loopback<Server>;
beforeAll(async () => {
  server = await httpServer((_request, response) => {
    response.setHeader('X-Long', 'x'.repeat(200));
    response.setHeader('ETag', '"v1"');
    response.setHeader('Vary', 'Accept-Encoding');
    response.statusCode = 503;
    response.end('busy');
  });
});
afterAll(() => server.close());

const titles = (subject: ReturnType<typeof requestSubject>) =>
  subject.sections.map((section) => section.title);

describe('requestSubject', () => {
  it('finds the header at the top of the headers tab, long lines wrapped or not', async () => {
    const result = await sendRequest({url: `${server.origin}/`, method: 'DELETE'});
    const request = {...initialRequestState, method: 'DELETE', result, tab: 'headers' as const};
    const width = 60;
    const lines = responseLines(result, 'headers', width);
    const etagLine = lines.findIndex((line) => line.startsWith('ETag'));
    expect(etagLine).toBeGreaterThan(1);
    expect(titles(requestSubject({...request, scroll: etagLine}, width))).toEqual([
      '503 Service Unavailable',
      'DELETE',
      'ETag',
    ]);
    // Wrapped, X-Long takes four rows: the row under ETag's number is still X-Long's.
    const wrapped = wrapLines(lines, width);
    const wrappedEtag = wrapped.findIndex((line) => line.startsWith('ETag'));
    expect(wrappedEtag).toBe(etagLine + 3);
    const wrap = {...request, wrap: true};
    expect(titles(requestSubject({...wrap, scroll: etagLine}, width)).at(-1)).toBe('X-Long');
    expect(titles(requestSubject({...wrap, scroll: wrappedEtag}, width)).at(-1)).toBe('ETag');
    expect(titles(requestSubject({...wrap, scroll: wrappedEtag + 1}, width)).at(-1)).toBe('Vary');
    const unknown = requestSubject({...request, scroll: etagLine - 1}, width).sections.at(-1);
    expect(unknown?.paragraphs[0]).toContain('Not a header porthole has words for');
  });

  it('names the layer of the transcript line at the top of the view', async () => {
    const result = await sendRequest({url: `${server.origin}/`});
    const request = {...initialRequestState, result, tab: 'transcript' as const};
    const sent = result.transcript.findIndex((line) => line.kind === 'out');
    expect(titles(requestSubject({...request, scroll: 0}, 80))).toContain(
      'TCP (the line at the top)',
    );
    const atSent = titles(requestSubject({...request, scroll: sent}, 80));
    expect(atSent).toContain('HTTP (the line at the top)');
    expect(atSent).toContain('> (sent)');
  });
});
