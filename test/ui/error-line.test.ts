import {describe, expect, it} from 'vitest';
import {errorLine} from '../../source/ui/request/error-line.js';
import {textWidth} from '../../source/ink/text-width.js';

const selfSigned =
  'the certificate of 127.0.0.1:8443 is self-signed (CN=localhost, O=porthole test) ' +
  '(use insecure mode, like curl -k, to skip verification)';

describe('the status line of a failed request', () => {
  it('keeps the hint, with the pane key for curl -k, and cuts the middle at 80 columns', () => {
    const line = errorLine(selfSigned, 78);
    expect(textWidth(line)).toBeLessThanOrEqual(78);
    expect(line).toBe(
      'the certificate of 127.0.0.1:8443 is self-signed (! to skip it, as curl -k)',
    );
    // Narrower, the middle goes and the hint stays.
    const narrow = errorLine(selfSigned, 50);
    expect(textWidth(narrow)).toBeLessThanOrEqual(50);
    expect(narrow).toMatch(/^the certificate of .*… ?\(! to skip it, as curl -k\)$/);
  });

  it('leaves a message that fits as it is, and cuts one without a hint in the middle too', () => {
    expect(errorLine('connection refused by 127.0.0.1:9', 78)).toBe(
      'connection refused by 127.0.0.1:9',
    );
    const long = `could not resolve host: ${'a'.repeat(60)}.example${'b'.repeat(60)}`;
    const line = errorLine(long, 40);
    expect(textWidth(line)).toBeLessThanOrEqual(40);
    expect(line.startsWith('could not resolve host: ')).toBe(true);
    expect(line.endsWith('bbbbbbbbbbbb')).toBe(true);
  });

  it('stays within a narrow pane, control characters made visible', () => {
    const line = errorLine(`malformed response from h:1: \u001b]0;x\u0007 ${'z'.repeat(100)}`, 30);
    expect(textWidth(line)).toBeLessThanOrEqual(30);
    expect(line).not.toContain('\u001b');
  });
});
