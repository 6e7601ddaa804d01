import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {configFile, loadConfig} from '../../source/cli/config.js';
import {createKeymap} from '../../source/ui/keymap.js';
import {keyCollisions} from '../../source/ui/key-collisions.js';

const home = mkdtempSync(path.join(os.tmpdir(), 'porthole-config-'));
afterAll(() => rmSync(home, {recursive: true, force: true}));

function writeConfig(text: string): string {
  const file = configFile({XDG_CONFIG_HOME: home});
  mkdirSync(path.dirname(file), {recursive: true});
  writeFileSync(file, text);
  return file;
}

describe('config file', () => {
  it('lives under XDG_CONFIG_HOME, or ~/.config', () => {
    expect(configFile({XDG_CONFIG_HOME: '/x'})).toBe('/x/porthole/config.json');
    expect(configFile({HOME: '/home/a'})).toBe('/home/a/.config/porthole/config.json');
  });

  it('is optional', () => {
    expect(loadConfig(path.join(home, 'none.json'))).toMatchObject({config: {}, problems: []});
  });

  it('reads interval, theme, request timeout and key overrides', () => {
    const file = writeConfig(
      '{"interval": "2s", "theme": "mono", "requestTimeout": 5, "keys": {"quit": "Q", "sockets.filter": ["/", "f"]}}',
    );
    const {config, problems} = loadConfig(file);
    expect(problems).toEqual([]);
    expect(config).toEqual({
      intervalMs: 2000,
      theme: 'mono',
      requestTimeoutMs: 5000,
      keys: {quit: 'Q', 'sockets.filter': ['/', 'f']},
    });
    const keymap = createKeymap(config.keys);
    expect(keymap.action('global', 'Q')).toBe('quit');
    expect(keymap.action('global', 'q')).toBeUndefined();
    expect(keymap.action('sockets', 'f')).toBe('filter');
  });

  it('names the file and the field that is wrong, and keeps the good fields', () => {
    const file = writeConfig(
      '{"interval": "fast", "theme": "neon", "keys": {"explode": "x"}, "colour": 1, "requestTimeout": 3}',
    );
    const {config, problems} = loadConfig(file);
    expect(config).toEqual({requestTimeoutMs: 3000, keys: {}});
    expect(problems).toEqual([
      expect.stringMatching(/^interval: expected a duration/),
      expect.stringMatching(/^theme: expected one of default, mono/),
      'keys.explode: no such action (see ? in the dashboard)',
      expect.stringMatching(/^colour: unknown field/),
    ]);
  });

  it('says when the file is not JSON, in one line', () => {
    const {config, problems} = loadConfig(writeConfig('{"interval": '));
    expect(config).toEqual({});
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^not valid JSON \(.*\); using defaults$/);
    expect(problems[0]).not.toContain('\n');
  });

  // The README's own example, {"quit": "x"}, took x from the Sockets pane: the footer showed
  // "x exposed" and "x quit", and x quit.
  it('refuses a key that another action reached by the same press already has, naming both', () => {
    const {config, problems} = loadConfig(writeConfig('{"keys": {"quit": "x"}}'));
    expect(problems).toEqual([
      'keys.quit: x would be both global.quit and sockets.exposed-only; refused (quit stays q, ^C)',
    ]);
    expect(config.keys).toEqual({});
    const keymap = createKeymap(config.keys);
    expect(keymap.action('global', 'q')).toBe('quit');
    expect(keymap.action('global', 'x')).toBeUndefined();
  });

  it('judges overrides together: two actions may swap keys, and of two that meet the later goes', () => {
    const swapped = loadConfig(
      writeConfig('{"keys": {"sockets.sort": "a", "sockets.all-states": "s"}}'),
    );
    expect(swapped.problems).toEqual([]);
    expect(swapped.config.keys).toEqual({'sockets.sort': 'a', 'sockets.all-states': 's'});

    const met = loadConfig(writeConfig('{"keys": {"sockets.tcp": "z", "sockets.udp": "z"}}'));
    expect(met.problems).toEqual([
      'keys.sockets.udp: z would be both sockets.udp and sockets.tcp; refused (udp stays u)',
    ]);
    expect(met.config.keys).toEqual({'sockets.tcp': 'z'});
  });

  it('lets a field keep a letter a global key has, since the letter is typed there', () => {
    const typed = loadConfig(writeConfig('{"keys": {"pause": "P", "line.line-start": "P"}}'));
    expect(typed.problems).toEqual([]);
    const named = loadConfig(writeConfig('{"keys": {"pause": "ctrl-a"}}'));
    expect(named.problems).toEqual([
      'keys.pause: ^A would be both global.pause and line.line-start; refused (pause stays p)',
    ]);
  });

  it('finds no collision in the default keys', () => {
    expect(keyCollisions(createKeymap().all())).toEqual([]);
  });

  // "interval": 2 meant 2 milliseconds while "requestTimeout": 2 meant 2 seconds.
  it('takes durations with units for interval and requestTimeout, and no bare number for interval', () => {
    const units = loadConfig(writeConfig('{"interval": "500ms", "requestTimeout": "2s"}'));
    expect(units).toMatchObject({config: {intervalMs: 500, requestTimeoutMs: 2000}, problems: []});
    expect(loadConfig(writeConfig('{"requestTimeout": "500ms"}')).config.requestTimeoutMs).toBe(
      500,
    );
    expect(loadConfig(writeConfig('{"requestTimeout": 2}')).config.requestTimeoutMs).toBe(2000);

    const bare = loadConfig(writeConfig('{"interval": 2}'));
    expect(bare.config).toEqual({});
    expect(bare.problems).toEqual([
      'interval: 2 has no unit; write "2s" or "2ms"; using the default',
    ]);
    expect(loadConfig(writeConfig('{"interval": "750"}')).problems).toEqual([
      'interval: 750 has no unit; write "750s" or "750ms"; using the default',
    ]);
    expect(loadConfig(writeConfig('{"requestTimeout": "soon"}')).problems).toEqual([
      'requestTimeout: expected a duration like "10s" or "500ms"; using 30s',
    ]);
  });
});
