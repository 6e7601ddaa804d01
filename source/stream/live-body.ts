/**
 * A live body: a response that is read as it arrives, one log entry per chunk the engine hands
 * on. The text is decoded as UTF-8 across chunks, so a character cut between two reads shows
 * whole in the second one rather than as two replacement marks.
 */
import type {StreamEntry} from './types.js';

export type LiveBodyReader = {
  /** The entry for one chunk: its text so far decoded, its size in bytes as received. */
  chunk(bytes: Uint8Array): Omit<StreamEntry, 'seq' | 'at'>;
  /** The body ended: what a cut character left over, if anything (as a replacement mark). */
  end(): string;
};

export function createLiveBodyReader(): LiveBodyReader {
  const decoder = new TextDecoder('utf-8');
  return {
    chunk(bytes) {
      return {
        dir: 'received',
        kind: 'chunk',
        bytes: bytes.length,
        text: decoder.decode(bytes, {stream: true}),
      };
    },
    end() {
      return decoder.decode();
    },
  };
}
