import {describe, expect, it} from 'vitest';
import {flagSpecs, helpText, parseCommand, UsageError} from '../../source/cli/flags.js';

const parse = (line: string, tty = true) => parseCommand(line.split(' ').filter(Boolean), tty);

describe('command line', () => {
  it('opens the dashboard on a terminal and prints a plain snapshot into a pipe', () => {
    expect(parse('')).toMatchObject({
      kind: 'dashboard',
      intervalMs: undefined,
      all: false,
      color: true,
    });
    expect(parse('', false)).toMatchObject({kind: 'plain', all: false});
    expect(parse('--all', false)).toMatchObject({kind: 'plain', all: true});
    expect(parse('--json', true)).toMatchObject({kind: 'json'});
  });

  it('reads intervals and refuses bad ones in one line', () => {
    expect(parse('--interval 500ms')).toMatchObject({intervalMs: 500});
    expect(parse('--interval 2s')).toMatchObject({intervalMs: 2000});
    expect(parse('--interval=100ms')).toMatchObject({intervalMs: 100});
    expect(() => parse('--interval 50ms')).toThrow(
      new UsageError('--interval: at least 100ms, got "50ms"'),
    );
    expect(() => parse('--interval soon')).toThrow(
      /expected a duration like 500ms or 2s, got "soon"/,
    );
    expect(() => parse('--interval')).toThrow(UsageError);
  });

  it('hands everything after request to the curl reader, untouched', () => {
    expect(parse('request -u bob:pw --data-binary @body.json http://127.0.0.1:1/ -v -o -')).toEqual(
      {
        kind: 'request',
        args: [
          '-u',
          'bob:pw',
          '--data-binary',
          '@body.json',
          'http://127.0.0.1:1/',
          '-v',
          '-o',
          '-',
        ],
      },
    );
    // -v is curl's --verbose here, not porthole's --version; --help is the request's own.
    expect(parse('request -v')).toEqual({kind: 'request', args: ['-v']});
    expect(parse('request --help')).toEqual({kind: 'request', args: ['--help']});
    expect(parse('request')).toEqual({kind: 'request', args: []});
    expect(() => parse('--all request http://a/')).toThrow(/request comes first/);
  });

  it('takes --url and -X for a prefilled Request pane, and --no-color', () => {
    expect(parse('--url http://127.0.0.1:8080/ -X HEAD --no-color')).toMatchObject({
      kind: 'dashboard',
      url: 'http://127.0.0.1:8080/',
      method: 'HEAD',
      color: false,
    });
    expect(
      parseCommand(['--url', "curl -H 'A: b' localhost:8080/x", '--timeout', '5'], true),
    ).toMatchObject({kind: 'dashboard', url: "curl -H 'A: b' localhost:8080/x", timeoutSeconds: 5});
    expect(() => parse('--url http://a/ --timeout zero')).toThrow(
      /--timeout: expected a number of seconds/,
    );
  });

  it('refuses unknown commands and sources', () => {
    expect(() => parse('frobnicate')).toThrow(/unknown command "frobnicate"/);
    expect(() => parse('--source nope')).toThrow(
      /--source: expected auto, proc or systeminformation/,
    );
  });

  it('generates --help from the same table the parser uses', () => {
    const help = helpText();
    for (const name of Object.keys(flagSpecs)) {
      const long =
        name === 'color'
          ? '--no-color'
          : '--' + name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
      expect(help).toContain(long);
    }
    expect(parse('--help')).toEqual({kind: 'help'});
    expect(parse('--version')).toEqual({kind: 'version'});
    expect(help).toContain('porthole request [curl options] URL');
    expect(help).toContain('porthole request --help');
  });
});
