/**
 * Optional defaults from $XDG_CONFIG_HOME/porthole/config.json (~/.config/porthole/config.json):
 * `{"interval": "2s", "theme": "mono", "requestTimeout": 10, "keys": {"quit": "x"}}`.
 * A bad file or field is named in one line and the defaults stand in for it.
 */
import {readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {parseDuration} from '../format.js';
import {knownActions, type KeyOverrides} from '../ui/keymap.js';
import {themeNames, type ThemeName} from '../ui/theme.js';
import {minimumIntervalMs} from './flags.js';

export type Config = {
  intervalMs?: number;
  theme?: ThemeName;
  requestTimeoutMs?: number;
  keys?: KeyOverrides;
};

export type LoadedConfig = {config: Config; file: string; problems: string[]};

export function configFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'porthole', 'config.json');
}

function checkKeys(value: unknown, problems: string[]): KeyOverrides | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push('keys: expected an object like {"quit": "x"}');
    return undefined;
  }
  const keys: KeyOverrides = {};
  for (const [action, binding] of Object.entries(value)) {
    const valid =
      typeof binding === 'string' ||
      (Array.isArray(binding) &&
        binding.length > 0 &&
        binding.every((key) => typeof key === 'string'));
    if (!knownActions.has(action))
      problems.push(`keys.${action}: no such action (see ? in the dashboard)`);
    else if (!valid) problems.push(`keys.${action}: expected a key like "x" or a list of keys`);
    else keys[action] = binding;
  }
  return keys;
}

/** Reads and checks the config file. A missing file is no problem; anything wrong is one line each. */
export function loadConfig(file = configFile()): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return {config: {}, file, problems: []};
    return {config: {}, file, problems: [`cannot read it (${code ?? 'error'}); using defaults`]};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : 'syntax error';
    return {config: {}, file, problems: [`not valid JSON (${reason}); using defaults`]};
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {config: {}, file, problems: ['expected a JSON object; using defaults']};
  }
  const config: Config = {};
  const problems: string[] = [];
  for (const [field, value] of Object.entries(raw as Record<string, unknown>)) {
    switch (field) {
      case 'interval': {
        const ms =
          typeof value === 'number'
            ? value
            : typeof value === 'string'
              ? parseDuration(value)
              : undefined;
        if (ms === undefined || ms < minimumIntervalMs) {
          problems.push(
            `interval: expected a duration of at least ${minimumIntervalMs}ms like "500ms" or "2s"; using the default`,
          );
        } else config.intervalMs = ms;
        break;
      }
      case 'theme':
        if (themeNames.includes(value as ThemeName)) config.theme = value as ThemeName;
        else problems.push(`theme: expected one of ${themeNames.join(', ')}; using the default`);
        break;
      case 'requestTimeout':
        if (typeof value === 'number' && value > 0) config.requestTimeoutMs = value * 1000;
        else problems.push('requestTimeout: expected a number of seconds; using 30');
        break;
      case 'keys': {
        const keys = checkKeys(value, problems);
        if (keys) config.keys = keys;
        break;
      }
      default:
        problems.push(`${field}: unknown field (known: interval, theme, requestTimeout, keys)`);
    }
  }
  return {config, file, problems};
}
