/**
 * Node built-ins loaded when first used rather than when a module that names them loads: the
 * dashboard's start loads the Request pane's modules, and http, tls and crypto together cost ~15 ms
 * of it though no request has been made (measured with require() in a fresh Node 20 process).
 */
import type * as Crypto from 'node:crypto';
import type * as Http from 'node:http';
import {createRequire} from 'node:module';
import type * as Tls from 'node:tls';

let load: NodeJS.Require | undefined;

function onUse<T>(id: string): () => T {
  let loaded: T | undefined;
  // The require() is made on first use too: a bundle loaded from a data: URL (the man page's
  // build) has no file to make one from, and never asks.
  return () => (loaded ??= (load ??= createRequire(import.meta.url))(id) as T);
}

export const http = onUse<typeof Http>('node:http');
export const tls = onUse<typeof Tls>('node:tls');
export const crypto = onUse<typeof Crypto>('node:crypto');
