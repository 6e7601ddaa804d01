/**
 * The hosts watched over SSH: one connection each (a master porthole starts and ends), a feed
 * polling through it, and a way for the Request pane to send from that host's side.
 */
import {rm} from 'node:fs/promises';
import {addHosts, type PortholeStore} from '../store/store.js';
import type {Via} from '../request/types.js';
import {hostSink} from './fleet.js';
import {createHostFeed} from './host-feed.js';
import {createSshConnection, makeControlDir} from './ssh.js';
import {channelLabel, openSshChannel} from './ssh-channel.js';
import type {SshTarget} from './ssh-args.js';
import type {FleetPlan} from './targets.js';
import {emptyHost, type HostFeed, type HostId} from './types.js';

export type RemoteHosts = {
  feeds: HostFeed[];
  /** How a request from host `id` gets there; undefined for a host not watched over SSH. */
  via(id: HostId): Via | undefined;
  /** Removes the control sockets' directory (after the feeds have stopped). */
  dispose(): Promise<void>;
};

export async function createRemoteHosts(
  store: PortholeStore,
  plan: FleetPlan,
  options: {intervalMs: number; sshPath?: string},
): Promise<RemoteHosts> {
  if (plan.targets.length === 0) {
    return {feeds: [], via: () => undefined, dispose: () => Promise.resolve()};
  }
  const controlDir = await makeControlDir();
  const settings = {configFile: plan.sshConfig, controlDir, sshPath: options.sshPath};
  const targets = new Map<HostId, SshTarget>(plan.targets.map((target) => [target.text, target]));
  addHosts(
    store,
    plan.targets.map((target) => emptyHost(target.text, target.text, false, 'ssh-node')),
  );
  // Each host streams from porthole's own reader where it has Node >= 20, else runs the shell
  // script a poll (host-feed.ts); its status says which.
  const feeds = plan.targets.map((target) =>
    createHostFeed({
      id: target.text,
      connection: createSshConnection(target, settings),
      sink: hostSink(store, target.text),
      intervalMs: options.intervalMs,
    }),
  );
  return {
    feeds,
    via(id) {
      const target = targets.get(id);
      if (!target) return undefined;
      return {
        label: channelLabel(target),
        open: (host, port, signal) => openSshChannel(target, settings, host, port, signal),
      };
    },
    dispose: () => rm(controlDir, {recursive: true, force: true}),
  };
}
