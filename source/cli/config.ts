/**
 * Optional defaults from $XDG_CONFIG_HOME/porthole/config.json (~/.config/porthole/config.json):
 * `{"interval": "2s", "theme": "mono", "requestTimeout": "10s", "keys": {"quit": "Q"},
 *   "hosts": ["web-1", "deploy@10.0.0.5:2222"], "sshConfig": "~/.ssh/fleet.conf"}`.
 * A bad file or field is named in one line and the defaults stand in for it.
 */
import {readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {parseDuration} from '../format.js';
import {
  createKeymap,
  keyLabel,
  knownActions,
  type Binding,
  type KeyOverrides,
} from '../ui/keymap.js';
import {actionName, keyCollisions} from '../ui/key-collisions.js';
import {themeNames, type ThemeName} from '../ui/theme.js';
import {minimumIntervalMs} from './flags.js';

export type Config = {
  intervalMs?: number;
  theme?: ThemeName;
  requestTimeoutMs?: number;
  keys?: KeyOverrides;
  /** Hosts to watch over SSH besides this machine. */
  hosts?: string[];
  /** The ssh config file for them (`ssh -F`). */
  sshConfig?: string;
};

export type LoadedConfig = {config: Config; file: string; problems: string[]};

export function configFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'porthole', 'config.json');
}

const bareNumber = /^\s*\d+(?:\.\d+)?\s*$/;
const isBareNumber = (text: string) => bareNumber.test(text);

/** "2s", "500ms", "1m"; a bare number is not one here (its unit would be a guess). */
function durationWithUnit(text: string): number | undefined {
  return isBareNumber(text) ? undefined : parseDuration(text);
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
  return refuseCollisions(keys, problems);
}

/** The override entry that gave a binding its keys, if one did. */
function overrideOf(binding: Binding, keys: KeyOverrides): string | undefined {
  const scoped = actionName(binding);
  if (keys[scoped] !== undefined) return scoped;
  return keys[binding.action] === undefined ? undefined : binding.action;
}

/**
 * Drops each override that would put two actions on one key press (`"quit": "x"` while `x` is
 * Sockets' exposed-only), one line each naming both. Overrides are judged together, so two
 * actions may swap keys; of two overrides that meet, the later one is refused.
 */
function refuseCollisions(keys: KeyOverrides, problems: string[]): KeyOverrides {
  const kept = {...keys};
  const order = Object.keys(keys);
  for (let round = 0; round < order.length; round++) {
    const table = createKeymap(kept).all();
    const defaults = createKeymap().all();
    let refused: {entry: string; line: string} | undefined;
    for (const {key, first, second} of keyCollisions(table)) {
      const sides = [first, second]
        .map((binding) => ({binding, entry: overrideOf(binding, kept)}))
        .filter((side): side is {binding: Binding; entry: string} => side.entry !== undefined);
      const latest = sides.sort((a, b) => order.indexOf(b.entry) - order.indexOf(a.entry))[0];
      if (!latest) continue;
      const other = latest.binding === first ? second : first;
      const before = defaults.find((binding) => actionName(binding) === actionName(latest.binding));
      const stays = before ? before.keys.map(keyLabel).join(', ') : 'unbound';
      const line = `keys.${latest.entry}: ${keyLabel(key)} would be both ${actionName(latest.binding)} and ${actionName(other)}; refused (${latest.binding.action} stays ${stays})`;
      if (!refused || order.indexOf(latest.entry) > order.indexOf(refused.entry)) {
        refused = {entry: latest.entry, line};
      }
    }
    if (!refused) break;
    problems.push(refused.line);
    delete kept[refused.entry];
  }
  return kept;
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
        const ms = typeof value === 'string' ? durationWithUnit(value) : undefined;
        if (typeof value === 'number' || (typeof value === 'string' && isBareNumber(value))) {
          problems.push(
            `interval: ${String(value).trim()} has no unit; write "${String(value).trim()}s" or "${String(value).trim()}ms"; using the default`,
          );
        } else if (ms === undefined || ms < minimumIntervalMs) {
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
      case 'requestTimeout': {
        // A bare number is seconds, as curl's --max-time and porthole's --timeout take it.
        const ms =
          typeof value === 'number'
            ? value * 1000
            : typeof value === 'string'
              ? isBareNumber(value)
                ? Number(value) * 1000
                : durationWithUnit(value)
              : undefined;
        if (ms !== undefined && Number.isFinite(ms) && ms > 0) config.requestTimeoutMs = ms;
        else problems.push('requestTimeout: expected a duration like "10s" or "500ms"; using 30s');
        break;
      }
      case 'keys': {
        const keys = checkKeys(value, problems);
        if (keys) config.keys = keys;
        break;
      }
      case 'hosts':
        if (Array.isArray(value) && value.every((host) => typeof host === 'string')) {
          config.hosts = value;
        } else problems.push('hosts: expected a list of hosts like ["web-1", "root@10.0.0.5"]');
        break;
      case 'sshConfig':
        if (typeof value === 'string' && value.trim() !== '') {
          config.sshConfig = value.startsWith('~/')
            ? path.join(os.homedir(), value.slice(2))
            : value;
        } else problems.push('sshConfig: expected the path of an ssh config file');
        break;
      default:
        problems.push(
          `${field}: unknown field (known: interval, theme, requestTimeout, keys, hosts, sshConfig)`,
        );
    }
  }
  return {config, file, problems};
}

/**
 * What a run prints on stderr about the config, one line per problem. `--json` and the plain
 * snapshot print it too, though interval, theme and keys do not apply there: a broken file is
 * named wherever porthole runs.
 */
export function configProblemLines(loaded: LoadedConfig): string {
  return loaded.problems.map((problem) => `porthole: ${loaded.file}: ${problem}\n`).join('');
}
