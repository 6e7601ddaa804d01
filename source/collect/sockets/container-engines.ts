/**
 * Container names, from the engine that runs them: `docker ps`, `podman ps`, `crictl ps`. The
 * cgroup path of a process gives only an id; the name a person gave the container is the engine's
 * to tell. Asking means running its CLI, which may be missing, fail (no daemon, no permission) or
 * hang on a stuck daemon, so an ask:
 * - runs in the background, never inside a poll: a name found fills in on a later poll;
 * - is killed after `timeoutMs` (1 s);
 * - happens when a container id (or a published port's container address) is seen that no ask
 *   has covered yet, and for one still unnamed after an answer, again after 5 s, then twice as
 *   long each time up to 5 min; a CLI that failed is left alone the same way as a whole.
 * One ask lists every container the engine runs, so one answer names them all.
 *
 * What the CLI prints is untrusted text: only names that look like names are kept.
 */
import {execFile} from 'node:child_process';
import {isIP} from 'node:net';
import {sanitizeLine} from '../../sanitize.js';

/** Runs a command without a shell; resolves its stdout, or null when it failed in any way. */
export type RunCommand = (
  command: string,
  args: string[],
  timeoutMs: number,
) => Promise<string | null>;

export const runCommand: RunCommand = (command, args, timeoutMs) =>
  new Promise((resolve) => {
    try {
      const child = execFile(
        command,
        args,
        {timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 << 20, encoding: 'utf8'},
        (error, stdout) => resolve(error ? null : stdout),
      );
      child.stdin?.end();
    } catch {
      resolve(null);
    }
  });

/** What one ask learned: names by full id, and which container holds an address. */
export type EngineAnswer = {
  names: Map<string, string>;
  addressOwners: Map<string, string>;
};

/** An engine's CLI: how to ask it, given a way to run commands and whether addresses are wanted. */
export type EngineCli = (
  run: RunCommand,
  timeoutMs: number,
  addresses: boolean,
) => Promise<EngineAnswer | null>;

const fullId = /^[0-9a-f]{64}$/;
/** Docker and Podman names; Kubernetes names are a subset. */
const namePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** A name as shown, or null when the text is not one. */
export function containerName(text: string): string | null {
  const name = sanitizeLine(text.trim());
  return namePattern.test(name) ? name : null;
}

/** Reads `ID NAMES` lines (`ps --no-trunc --format '{{.ID}} {{.Names}}'`); NAMES may list several. */
export function parsePsNames(output: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const line of output.split('\n')) {
    const [id, list] = line.trim().split(/\s+/, 2);
    if (!id || !list || !fullId.test(id)) continue;
    const name = containerName(list.split(',', 1)[0]!);
    if (name) names.set(id, name);
  }
  return names;
}

/** Reads `ID ADDRESS…` lines (the inspect format below) into address -> id. */
export function parseInspectAddresses(output: string): Map<string, string> {
  const owners = new Map<string, string>();
  for (const line of output.split('\n')) {
    const [id, ...addresses] = line.trim().split(/\s+/);
    if (!id || !fullId.test(id)) continue;
    for (const address of addresses) if (isIP(address)) owners.set(address, id);
  }
  return owners;
}

/** Reads `crictl ps -o json`: a container's name is `pod/container` where the pod is labelled. */
export function parseCrictl(output: string): Map<string, string> {
  const names = new Map<string, string>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    return names;
  }
  const list = (parsed as {containers?: unknown} | null)?.containers;
  if (!Array.isArray(list)) return names;
  for (const item of list as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const {id, metadata, labels} = item as {id?: unknown; metadata?: unknown; labels?: unknown};
    const raw = (metadata as {name?: unknown} | null | undefined)?.name;
    if (typeof id !== 'string' || !fullId.test(id) || typeof raw !== 'string') continue;
    const name = containerName(raw);
    if (!name) continue;
    const podLabel = (labels as Record<string, unknown> | null | undefined)?.[
      'io.kubernetes.pod.name'
    ];
    const pod = typeof podLabel === 'string' ? containerName(podLabel) : null;
    names.set(id, pod ? `${pod}/${name}` : name);
  }
  return names;
}

const psFormat = ['ps', '--no-trunc', '--format', '{{.ID}} {{.Names}}'];
const inspectFormat =
  '{{.Id}}{{range .NetworkSettings.Networks}} {{.IPAddress}} {{.GlobalIPv6Address}}{{end}}';
/** Enough for any host; keeps one inspect's command line bounded. */
const inspectLimit = 500;

/** `docker`/`podman`: names from `ps`, and where a published port's address is wanted, `inspect`. */
export function psCli(command: string): EngineCli {
  return async (run, timeoutMs, addresses) => {
    const listed = await run(command, psFormat, timeoutMs);
    if (listed === null) return null;
    const names = parsePsNames(listed);
    let addressOwners = new Map<string, string>();
    if (addresses && names.size > 0) {
      const ids = [...names.keys()].slice(0, inspectLimit);
      const inspected = await run(
        command,
        ['inspect', '--format', inspectFormat, ...ids],
        timeoutMs,
      );
      if (inspected !== null) addressOwners = parseInspectAddresses(inspected);
    }
    return {names, addressOwners};
  };
}

export const crictlCli: EngineCli = async (run, timeoutMs) => {
  const listed = await run('crictl', ['ps', '-o', 'json'], timeoutMs);
  return listed === null ? null : {names: parseCrictl(listed), addressOwners: new Map()};
};

export type EngineNamesOptions = {
  cli: EngineCli;
  run?: RunCommand;
  now?: () => number;
  timeoutMs?: number;
};

/** The names one engine gave, and the asks that learn them. */
export type EngineNames = {
  /** The container's name, once an answer named it. */
  name(id: string): string | null;
  /** The id of the container that holds `address`, once an answer told. */
  ownerOf(address: string): string | null;
  /** Counts answers that changed a name or an address, so callers can keep what they built. */
  readonly version: number;
  /** Notes what a poll saw without a name (ids) or an owner (addresses); asks once it is due. */
  want(ids: Iterable<string>, addresses: Iterable<string>): void;
  /** Resolves when no ask is running (tests, and a reader that closes). */
  idle(): Promise<void>;
};

const firstRetryMs = 5000;
const maxRetryMs = 5 * 60_000;
const retryAfter = (tries: number) => Math.min(firstRetryMs * 2 ** (tries - 1), maxRetryMs);

type Retry = {tries: number; at: number};

export function createEngineNames(options: EngineNamesOptions): EngineNames {
  const run = options.run ?? runCommand;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 1000;
  let answer: EngineAnswer = {names: new Map(), addressOwners: new Map()};
  let version = 0;
  let asking: Promise<void> | undefined;
  // Keys that an ask covered and that stayed unanswered: ids and addresses never look alike.
  const retries = new Map<string, Retry>();
  let failures = 0;
  let nextAskAt = 0;

  function due(key: string, time: number): boolean {
    const retry = retries.get(key);
    return retry === undefined || retry.at <= time;
  }

  function sameMap(a: Map<string, string>, b: Map<string, string>): boolean {
    if (a.size !== b.size) return false;
    for (const [key, value] of a) if (b.get(key) !== value) return false;
    return true;
  }

  async function ask(ids: string[], addresses: string[]): Promise<void> {
    const found = await options.cli(run, timeoutMs, addresses.length > 0).catch(() => null);
    const time = now();
    if (found === null) {
      failures++;
      nextAskAt = time + retryAfter(failures);
      for (const key of [...ids, ...addresses]) {
        retries.set(key, {tries: failures, at: nextAskAt});
      }
      return;
    }
    failures = 0;
    nextAskAt = time;
    if (
      !sameMap(found.names, answer.names) ||
      !sameMap(found.addressOwners, answer.addressOwners)
    ) {
      answer = found;
      version++;
    }
    const answered = (key: string) => found.names.has(key) || found.addressOwners.has(key);
    for (const key of [...ids, ...addresses]) {
      if (answered(key)) retries.delete(key);
      else {
        const tries = (retries.get(key)?.tries ?? 0) + 1;
        retries.set(key, {tries, at: time + retryAfter(tries)});
      }
    }
  }

  return {
    name: (id) => answer.names.get(id) ?? null,
    ownerOf: (address) => answer.addressOwners.get(address) ?? null,
    get version() {
      return version;
    },
    want(idList, addressList) {
      const time = now();
      const ids = [...idList];
      const addresses = [...addressList];
      // Forget keys no poll shows any more, so a container that comes back is asked about anew.
      const shown = new Set([...ids, ...addresses]);
      for (const key of retries.keys()) if (!shown.has(key)) retries.delete(key);
      if (asking || time < nextAskAt) return;
      if (!ids.some((id) => due(id, time)) && !addresses.some((a) => due(a, time))) return;
      asking = ask(ids, addresses).finally(() => {
        asking = undefined;
      });
    },
    idle: async () => {
      while (asking) await asking;
    },
  };
}
