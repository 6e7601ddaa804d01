/**
 * Which hosts to watch: `--host` and `--hosts-file` on the command line, else the config file's
 * `hosts`. Each is checked here, so a bad one stops the run with one line before anything starts.
 */
import {readFileSync} from 'node:fs';
import {parseSshTarget, type SshTarget} from './ssh-args.js';

export type FleetChoice = {
  hosts: readonly string[];
  hostsFile: string | undefined;
  sshConfig: string | undefined;
  noLocal: boolean;
};

export type FleetPlan = {
  /** Whether this machine is one of the hosts (first). */
  local: boolean;
  targets: SshTarget[];
  /** `ssh -F FILE`, when given. */
  sshConfig: string | undefined;
};

/** More than a dashboard can show in a row each; also a guard against a wrong file. */
export const maxHosts = 200;

/** The hosts of a hosts file: one a line; blank lines and `#` comments skipped. */
export function hostsFileLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
}

/** Throws an Error with one line (the flag or field it came from, and why). */
export function planFleet(
  choice: FleetChoice,
  config: {hosts?: readonly string[]; sshConfig?: string},
  readFile: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): FleetPlan {
  const given: Array<[from: string, text: string]> = choice.hosts.map((host) => ['--host', host]);
  if (choice.hostsFile !== undefined) {
    let text: string;
    try {
      text = readFile(choice.hostsFile);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new Error(`--hosts-file: cannot read ${choice.hostsFile}: ${code}`);
    }
    given.push(...hostsFileLines(text).map((host): [string, string] => [choice.hostsFile!, host]));
  }
  // Hosts named on the command line are the ones wanted; the config's list is the default.
  if (given.length === 0 && config.hosts) {
    given.push(...config.hosts.map((host): [string, string] => ['config hosts', host]));
  }
  const targets: SshTarget[] = [];
  const seen = new Set<string>();
  for (const [from, text] of given) {
    let target: SshTarget;
    try {
      target = parseSshTarget(text);
    } catch (error) {
      throw new Error(`${from}: ${(error as Error).message}`);
    }
    if (target.text === 'local') throw new Error(`${from}: "local" names this machine, not a host`);
    if (seen.has(target.text)) continue;
    seen.add(target.text);
    targets.push(target);
  }
  if (targets.length > maxHosts) {
    throw new Error(`${targets.length} hosts: at most ${maxHosts} can be watched at once`);
  }
  if (choice.noLocal && targets.length === 0) {
    throw new Error('--no-local: no hosts to watch (give --host HOST)');
  }
  const sshConfig = choice.sshConfig ?? config.sshConfig;
  if (sshConfig !== undefined && targets.length > 0) {
    // ssh would say so for every host, in its own words; once, here, is enough.
    try {
      readFile(sshConfig);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      const from = choice.sshConfig === undefined ? 'config sshConfig' : '--ssh-config';
      throw new Error(`${from}: cannot read ${sshConfig}: ${code}`);
    }
  }
  return {local: !choice.noLocal, targets, sshConfig};
}
