import ipaddr from 'ipaddr.js';
import {describe, expect, it} from 'vitest';
import {addressKinds, classifyAddress} from '../../source/net/classify.js';
import {socketStates, type FirewallVerdict, type Reach} from '../../source/model.js';
import {httpMethods, type TranscriptLine} from '../../source/request/types.js';
import {transcriptLayers} from '../../source/request/transcript.js';
import {
  headerTexts,
  statusClassNames,
  transcriptKindTexts,
} from '../../source/explain/http-texts.js';
import {kindTexts, namedRanges, stateTexts} from '../../source/explain/network-texts.js';
import {explain, rangeOf} from '../../source/explain/lookup.js';
import {explanationText, wrapWords} from '../../source/explain/render.js';

const text = (word: string) => {
  const found = explain(word);
  return found ? explanationText([found], 80) : undefined;
};

describe('every thing a pane can show has words', () => {
  it('has an entry for every address kind, by its own name', () => {
    for (const kind of addressKinds) {
      expect(kindTexts[kind], kind).toBeDefined();
      expect(explain(kind)?.title, kind).toBe(kindTexts[kind].title);
    }
  });

  it('has an entry for every socket state, in every spelling a person types', () => {
    expect([...socketStates].sort()).toEqual(Object.keys(stateTexts).sort());
    for (const state of socketStates) {
      for (const spelling of [
        state,
        state.toLowerCase(),
        state.replace(/-/g, '_'),
        state.replace(/-/g, ''),
      ]) {
        expect(explain(spelling)?.title, spelling).toBe(stateTexts[state].title);
      }
    }
  });

  it('has an entry for every reach, dual-stack and IPv6 only, and every firewall verdict', () => {
    const reaches: Reach[] = ['internet', 'network', 'this host'];
    for (const reach of reaches) expect(explain(reach)?.title).toBe(`reach: ${reach}`);
    expect(explain('dual-stack')?.title).toBe('dual-stack');
    expect(explain('ipv6-only')?.title).toBe('IPv6 only');
    const verdicts: Array<FirewallVerdict['state']> = [
      'not-checked',
      'undecided',
      'allowed',
      'filtered',
    ];
    for (const verdict of verdicts) {
      expect(explain(verdict)?.title).toBe(`firewall: ${verdict.replace('-', ' ')}`);
    }
  });

  it('has an entry for every status class and every code of 100-599 (by its class at least)', () => {
    for (const name of statusClassNames)
      expect(explain(name)?.refs[0]).toMatch(/^RFC 9110 §15\.\d$/);
    for (let code = 100; code <= 599; code++) {
      const found = explain(String(code));
      expect(found?.title, String(code)).toMatch(new RegExp(`^${code}`));
      expect(found?.refs.length, String(code)).toBe(1);
    }
    expect(explain('404')?.refs).toEqual(['RFC 9110 §15.5.5']);
    expect(explain('429')?.refs).toEqual(['RFC 6585 §4']);
    expect(explain('099')).toBeUndefined();
    expect(explain('600')).toBeUndefined();
  });

  it('has an entry for every method the Request pane offers, saying what a retry does', () => {
    for (const method of httpMethods) {
      const found = explain(method.toLowerCase());
      expect(found?.title, method).toBe(method);
      expect(found?.paragraphs.join(' '), method).toMatch(/retry|resend|again/i);
    }
    expect(text('post')).toContain('charge a card twice');
    expect(explain('put')?.paragraphs.join(' ')).toContain('Idempotent');
  });

  it('has an entry for every transcript layer and line kind', () => {
    for (const layer of transcriptLayers) expect(explain(layer)?.title).toBe(layer);
    for (const kind of ['info', 'out', 'in'] as Array<TranscriptLine['kind']>) {
      expect(transcriptKindTexts[kind].title).toMatch(/^[*<>] /);
    }
    expect(explain('>')?.title).toBe('> (sent)');
  });

  it('has the common headers, CORS among them, by any case', () => {
    for (const name of [
      'Content-Type',
      'Cache-Control',
      'ETag',
      'Location',
      'Set-Cookie',
      'Strict-Transport-Security',
      'Authorization',
      'Host',
      'Accept',
      'Content-Encoding',
      'Transfer-Encoding',
      'Connection',
      'Upgrade',
      'Alt-Svc',
      'Retry-After',
      'WWW-Authenticate',
      'Vary',
      'Content-Length',
      'Server',
      'Date',
      'User-Agent',
      'Cookie',
      'Origin',
      'Access-Control-Allow-Origin',
    ]) {
      expect(explain(name.toUpperCase())?.title, name).toBe(name);
      expect(explain(`${name.toLowerCase()}:`)?.title, name).toBe(name);
    }
    const cors = Object.keys(headerTexts).filter((name) => name.startsWith('access-control-'));
    expect(cors.length).toBeGreaterThanOrEqual(8);
  });

  it('names ranges that agree with the classifier', () => {
    for (const range of namedRanges) {
      // The first address, unless a more specific range holds it (0.0.0.0 in 0.0.0.0/8): the last.
      const [base, bits] = ipaddr.parseCIDR(range.cidr);
      const first = base.toString();
      const last = ipaddr.fromByteArray(
        base.toByteArray().map((byte, index) => {
          const kept = Math.max(0, Math.min(8, bits - index * 8));
          return byte | (0xff >> kept);
        }),
      );
      const address = rangeOf(first)?.cidr === range.cidr ? first : last.toString();
      expect(rangeOf(address)?.cidr, range.cidr).toBe(range.cidr);
      expect(classifyAddress(address), range.cidr).toBe(range.kind);
    }
  });
});

describe('explain(word)', () => {
  it('classifies an address, with its range and RFC, however it is written', () => {
    expect(text('10.0.0.5')).toContain('10.0.0.5 is in 10.0.0.0/8, private network (RFC 1918)');
    expect(explain('100.101.1.2')?.paragraphs[0]).toContain('RFC 6598');
    expect(text('100.101.1.2')).toContain('Tailscale');
    expect(explain('fd12:3456::1')?.paragraphs[0]).toContain('RFC 4193');
    expect(explain('169.254.10.1')?.paragraphs[0]).toContain('RFC 3927');
    expect(explain('fe80::1%eth0')?.title).toBe('fe80::1: link-local');
    expect(explain('[::1]:8080')?.title).toBe('::1: loopback');
    expect(explain('127.0.0.1:22')?.title).toBe('127.0.0.1: loopback');
    expect(explain('192.168.1.20/24')?.title).toBe('192.168.1.20: private');
    expect(explain('2001:db8::20')?.paragraphs[0]).toContain('RFC 3849');
    expect(explain('3fff::1')?.paragraphs[0]).toContain('RFC 9637');
    expect(explain('198.51.100.7')?.paragraphs[0]).toContain('RFC 5737');
    expect(explain('198.19.0.1')?.paragraphs[0]).toContain('RFC 2544');
    expect(explain('239.255.255.250')?.paragraphs[0]).toContain('RFC 5771');
    expect(explain('8.8.8.8')?.title).toBe('8.8.8.8: public');
    expect(explain('::ffff:10.1.2.3')?.title).toBe('::ffff:10.1.2.3: private');
    expect(rangeOf('255.255.255.255')?.name).toBe('limited broadcast');
  });

  it('says why TIME-WAIT lingers and CLOSE-WAIT is a leak', () => {
    expect(text('TIME_WAIT')).toContain('60 s');
    expect(text('timewait')).toContain('EADDRNOTAVAIL');
    expect(text('close-wait')).toContain('leak');
    expect(text('listen')).toMatch(/Recv-Q = connections waiting in the accept queue/);
    expect(text('listen')).toContain('Send-Q = the backlog');
  });

  it('takes words of several kinds, and the words in a phrase', () => {
    expect(explain('established')?.title).toBe('ESTAB (established)');
    expect(explain('This Host')?.title).toBe('reach: this host');
    expect(explain('dual stack')?.title).toBe('dual-stack');
    expect(explain('tailnet')?.title).toBe(kindTexts.cgnat.title);
    expect(explain('recv-q')?.title).toBe('Recv-Q');
    expect(explain('5XX')?.title).toBe('5xx server error');
  });

  it('takes what the Sockets table writes: a bind, a reach, its short words', () => {
    expect(explain('*:8083')?.title).toBe('dual-stack');
    expect(explain('[::]:8090')?.title).toBe(explain('ipv6 only')?.title);
    expect(explain('LAN 10.0.0.5 +2')?.title).toBe(`10.0.0.5: ${kindTexts.private.title}`);
    expect(explain('tailnet 100.101.1.2')?.title).toBe(`100.101.1.2: ${kindTexts.cgnat.title}`);
    expect(explain('local only')?.title).toBe('reach: this host');
    expect(explain('all interfaces')?.title).toBe(kindTexts.unspecified.title);
    expect(explain('LAN banana')).toBeUndefined();
  });

  it('has nothing for what it does not know', () => {
    for (const word of ['', '  ', 'frobnicate', '999.1.1.1', 'x-my-header', '42', '7xx']) {
      expect(explain(word), word).toBeUndefined();
    }
  });
});

describe('wrapWords', () => {
  it('wraps at word boundaries, never past the width, and cuts a word longer than a line', () => {
    const lines = wrapWords('aaa bbb ccc dddddddddddd e', 8, '  ');
    expect(lines).toEqual(['  aaa', '  bbb', '  ccc', '  dddddd', '  dddddd', '  e']);
    for (const line of wrapWords(stateTexts['TIME-WAIT'].paragraphs.join(' '), 30)) {
      expect(line.length).toBeLessThanOrEqual(30);
    }
  });
});
