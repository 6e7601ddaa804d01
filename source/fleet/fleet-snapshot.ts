/**
 * `porthole --json --host a --host b`: one reading of every host at once, this machine's as
 * `--json` alone takes it and each other host's over SSH, side by side. A host that cannot be read
 * is one object with its `error` line; the others are printed all the same.
 */
import {readSnapshot, snapshotSocket, type Snapshot, type SnapshotOptions} from '../snapshot.js';
import type {FirewallReading, SocketSource} from '../model.js';
import {createSshConnection, makeControlDir} from './ssh.js';
import type {SshTarget} from './ssh-args.js';
import type {FleetPlan} from './targets.js';
import {parseRemoteReading, type RemoteReading} from './remote-parse.js';
import {remoteCommand} from './remote-script.js';
import {rm} from 'node:fs/promises';

/** One host of a fleet snapshot: today's snapshot, where it came from, and why it is empty. */
export type FleetHostSnapshot = Omit<Snapshot, 'host' | 'source'> & {
  /** The host as given (`web-1`); null for this machine. */
  target: string | null;
  /** One line when the host could not be read (then `interfaces` and `sockets` are empty). */
  error: string | null;
  /** The host's own name; null when it could not be read. */
  host: string | null;
  source: SocketSource | null;
};

export type FleetSnapshot = {
  /** ISO 8601: when the readings began. */
  takenAt: string;
  hosts: FleetHostSnapshot[];
};

export type FleetSnapshotOptions = SnapshotOptions & {
  /** How long one host may take to answer, connecting included. Default 10 s. */
  timeoutMs?: number;
  sshPath?: string;
};

/** The packet filter of a host reached over SSH is not read (it would need root there). */
const notReadOverSsh: FirewallReading = {checked: false, why: 'not read on hosts over SSH'};

/** A host's reading in the snapshot's shape. */
export function remoteSnapshot(target: string, reading: RemoteReading): FleetHostSnapshot {
  return {
    target,
    error: null,
    host: reading.name,
    takenAt: new Date().toISOString(),
    source: 'proc',
    interfaces: reading.interfaces.map((iface) => {
      const count = reading.counters.get(iface.name);
      const {addresses, ...facts} = iface;
      return {...facts, rx: count?.rx ?? null, tx: count?.tx ?? null, addresses};
    }),
    sockets: reading.sockets.map((socket) =>
      snapshotSocket(socket, reading.interfaces, notReadOverSsh),
    ),
  };
}

function failed(target: string, error: unknown): FleetHostSnapshot {
  const line = (error instanceof Error ? error.message : String(error)).split('\n', 1)[0];
  return {
    target,
    error: line?.trim() || 'failed',
    host: null,
    takenAt: new Date().toISOString(),
    source: null,
    interfaces: [],
    sockets: [],
  };
}

async function readRemote(
  target: SshTarget,
  plan: FleetPlan,
  controlDir: string,
  options: FleetSnapshotOptions,
): Promise<{snapshot: FleetHostSnapshot; ownersHidden: boolean}> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const connection = createSshConnection(target, {
    configFile: plan.sshConfig,
    controlDir,
    connectTimeoutSeconds: Math.max(1, Math.ceil(timeoutMs / 2000)),
    sshPath: options.sshPath,
  });
  try {
    await connection.connect();
    const output = await connection.run(remoteCommand(), {timeoutMs});
    const reading = parseRemoteReading(output.stdout);
    return {snapshot: remoteSnapshot(target.text, reading), ownersHidden: reading.ownersHidden};
  } catch (error) {
    return {snapshot: failed(target.text, error), ownersHidden: false};
  } finally {
    await connection.close();
  }
}

/**
 * Hosts connected to at once. Each connection is a key exchange and a login, tens of milliseconds
 * of CPU here and there: fifty at once on a small machine starve one another past their timeout,
 * where sixteen at a time finish sooner than all together.
 */
const connectingAtOnce = 16;

/** Runs `work` over `items` with at most `limit` in flight; the results in the items' order. */
function limited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R>[] {
  const slots: Array<() => void> = [];
  let running = 0;
  const release = () => {
    running--;
    slots.shift()?.();
  };
  const acquire = () =>
    running < limit
      ? (running++, Promise.resolve())
      : new Promise<void>((resolve) =>
          slots.push(() => {
            running++;
            resolve();
          }),
        );
  return items.map(async (item) => {
    await acquire();
    try {
      return await work(item);
    } finally {
      release();
    }
  });
}

/** Reads every host of the plan, several at once; never rejects for a host's failure. */
export async function readFleetSnapshot(
  plan: FleetPlan,
  options: FleetSnapshotOptions = {},
): Promise<{snapshot: FleetSnapshot; ownersHidden: boolean[]}> {
  const takenAt = new Date().toISOString();
  const controlDir = await makeControlDir();
  try {
    const local = plan.local
      ? readSnapshot(options).then(
          ({snapshot, ownersHidden}) => ({
            snapshot: {...snapshot, target: null, error: null},
            ownersHidden,
          }),
          (error: unknown) => ({
            snapshot: {...failed('', error), target: null},
            ownersHidden: false,
          }),
        )
      : undefined;
    const remote = limited(plan.targets, connectingAtOnce, (target) =>
      readRemote(target, plan, controlDir, options),
    );
    const readings = await Promise.all([...(local ? [local] : []), ...remote]);
    return {
      snapshot: {takenAt, hosts: readings.map((reading) => orderFields(reading.snapshot))},
      ownersHidden: readings.map((reading) => reading.ownersHidden),
    };
  } finally {
    await rm(controlDir, {recursive: true, force: true});
  }
}

/** The documented order: target and error first, then today's snapshot fields. */
function orderFields(host: FleetHostSnapshot): FleetHostSnapshot {
  return {
    target: host.target,
    error: host.error,
    host: host.host,
    takenAt: host.takenAt,
    source: host.source,
    interfaces: host.interfaces,
    sockets: host.sockets,
  };
}
