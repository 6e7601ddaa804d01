/** The lines the host reader (host-reader.ts) writes, and its exit codes. */
import type {NetworkInterface} from '../model.js';
import type {EncodedListing} from './listing-codec.js';

/** The exit code, and the hello's `unsupported`, of a host whose Node is older than this. */
export const minimumNodeMajor = 20;
export const oldNodeExitCode = 98;

export type WireListing = Omit<EncodedListing, 'runs' | 'addedKeys' | 'addedSeen'> & {
  runs: number[];
};

export type HostHello = {hello: 1; node: string; uid: number; pid: number; unsupported?: string};

export type HostLine =
  | HostHello
  | {
      /** 1: a full reading; 2: what changed; 3: nothing moved. */
      r: 1 | 2 | 3;
      name?: string;
      interfaces?: NetworkInterface[];
      /** Interface name -> [rx, tx] bytes; present when any moved (and in a full reading). */
      counters?: Record<string, [number, number]>;
      listing?: WireListing;
      ownersHidden?: boolean;
      owners?: 'root' | 'user';
      /** Set while a collector fails: its one-line reason. */
      error?: string;
      /** How long the reading took on the host, ms. */
      ms?: number;
    }
  | {pong: number}
  /** A read is taking longer than the interval. */
  | {busy: 1}
  | {paused: 1};
