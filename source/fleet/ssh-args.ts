/**
 * The command lines porthole gives the system's OpenSSH client. OpenSSH does the connecting, so the
 * user's ~/.ssh/config, agent, keys, ProxyJump and known_hosts all apply; porthole only adds what a
 * dashboard needs: never a prompt (BatchMode), and one connection per host that every poll and
 * request shares. That connection is a master porthole starts itself and ends itself (`-M -N`,
 * ControlPersist=no): no SSH process outlives porthole.
 */
import {createHash} from 'node:crypto';

/** A host as the user names it: an alias of ssh_config, or `[user@]address[:port]`. */
export type SshTarget = {
  /** As given, the host's key in the store. */
  text: string;
  user: string | undefined;
  /** An ssh_config alias or an address (IPv6 without brackets). */
  host: string;
  port: number | undefined;
};

export type SshSettings = {
  /** `ssh -F FILE`: another config file. */
  configFile?: string;
  /** The directory the control sockets live in (made private by the caller). */
  controlDir: string;
  /** How long connecting may take, in seconds. Default 5. */
  connectTimeoutSeconds?: number;
};

/** Parses a target; throws an Error with one line for one that cannot be a host. */
export function parseSshTarget(text: string): SshTarget {
  const given = text.trim();
  if (given === '') throw new Error('empty host');
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(given))
    throw new Error(`bad host "${given}": spaces or control characters`);
  if (given.startsWith('-')) throw new Error(`bad host "${given}": starts with "-"`);
  let rest = given;
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (user === '' || user.startsWith('-')) throw new Error(`bad host "${given}": bad user`);
  }
  let host = rest;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    const [name, portText] = rest.split(':') as [string, string];
    if (!/^\d+$/.test(portText)) throw new Error(`bad host "${given}": bad port "${portText}"`);
    host = name;
    port = Number(portText);
  }
  if (host === '' || host.startsWith('-')) throw new Error(`bad host "${given}"`);
  if (port !== undefined && (port < 1 || port > 65_535)) {
    throw new Error(`bad host "${given}": port ${port} out of range`);
  }
  return {text: given, user, host, port};
}

/**
 * The control socket of a target's connection. Named after the target as given, not OpenSSH's
 * `%C` (a hash of the resolved address, port and user): two names for one machine (`web-1` and its
 * address) are two hosts here, and their masters must not fight over one socket. A hash keeps the
 * path short, as a socket's path must be (~104 bytes).
 */
export function controlPath(target: SshTarget, settings: Pick<SshSettings, 'controlDir'>): string {
  return `${settings.controlDir}/${createHash('sha256').update(target.text).digest('hex').slice(0, 20)}`;
}

/** Options every ssh call shares: config file, no prompts, the shared connection. */
function commonOptions(target: SshTarget, settings: SshSettings): string[] {
  const options = [
    ...(settings.configFile === undefined ? [] : ['-F', settings.configFile]),
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${settings.connectTimeoutSeconds ?? 5}`,
    '-o',
    `ControlPath=${controlPath(target, settings)}`,
  ];
  if (target.user !== undefined) options.push('-l', target.user);
  if (target.port !== undefined) options.push('-p', String(target.port));
  return options;
}

/**
 * The master connection: stays in the foreground without a command (`-N`), as porthole's child,
 * and notices a dead link within ~10 s (ServerAlive).
 */
export function masterArgs(target: SshTarget, settings: SshSettings): string[] {
  return [
    ...commonOptions(target, settings),
    '-M',
    '-N',
    '-T',
    '-o',
    'ControlMaster=yes',
    '-o',
    'ControlPersist=no',
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=2',
    '-o',
    'ExitOnForwardFailure=yes',
    '--',
    target.host,
  ];
}

/** A command run over the master's connection (never a connection of its own). */
export function commandArgs(target: SshTarget, settings: SshSettings, command: string): string[] {
  return [
    ...commonOptions(target, settings),
    '-T',
    '-o',
    'ControlMaster=no',
    '--',
    target.host,
    command,
  ];
}

/** A TCP channel to `address:port` as the host sees it (a direct-tcpip channel, `ssh -W`). */
export function channelArgs(
  target: SshTarget,
  settings: SshSettings,
  address: string,
  port: number,
): string[] {
  const to = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  return [
    ...commonOptions(target, settings),
    '-T',
    '-o',
    'ControlMaster=no',
    '-W',
    to,
    '--',
    target.host,
  ];
}
