import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {configFile, loadConfig} from '../../source/cli/config.js';
import {createKeymap} from '../../source/ui/keymap.js';

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
      '{"interval": "2s", "theme": "mono", "requestTimeout": 5, "keys": {"quit": "x", "sockets.filter": ["/", "f"]}}',
    );
    const {config, problems} = loadConfig(file);
    expect(problems).toEqual([]);
    expect(config).toEqual({
      intervalMs: 2000,
      theme: 'mono',
      requestTimeoutMs: 5000,
      keys: {quit: 'x', 'sockets.filter': ['/', 'f']},
    });
    const keymap = createKeymap(config.keys);
    expect(keymap.action('global', 'x')).toBe('quit');
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
});
