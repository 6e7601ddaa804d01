/**
 * curl -u NAME without a password: ask for it on the terminal, echo off, the prompt on stderr, as
 * curl does. Without a terminal curl takes what stdin holds (`echo pw | curl -u bob …`), an
 * empty password when stdin is empty, and so does this.
 */
import {openSync} from 'node:fs';
import tty from 'node:tty';

export type PasswordEntry = {text: string; done?: 'enter' | 'cancel'};

/**
 * Reads typed keys into the password: Enter (or Ctrl-D) ends it, Ctrl-C cancels, Backspace
 * removes a character and Ctrl-U the whole line; other control characters are dropped.
 */
export function typePassword(entry: PasswordEntry, input: string): PasswordEntry {
  let text = entry.text;
  for (const char of input) {
    if (char === '\r' || char === '\n' || char === '\u0004') return {text, done: 'enter'};
    if (char === '\u0003') return {text: '', done: 'cancel'};
    if (char === '\u007f' || char === '\b') text = Array.from(text).slice(0, -1).join('');
    else if (char === '\u0015') text = '';
    else if (char >= ' ') text += char;
  }
  return {text};
}

export type PromptIo = {
  stderr: NodeJS.WritableStream;
  /** The terminal to read from; default the controlling terminal (/dev/tty), if any. */
  openTerminal?: () => tty.ReadStream | undefined;
  /** Without a terminal: the password from stdin, when stdin is free ('' when it is not). */
  readLine?: () => Promise<string>;
};

function controllingTerminal(): tty.ReadStream | undefined {
  try {
    return new tty.ReadStream(openSync('/dev/tty', 'r'));
  } catch {
    return undefined;
  }
}

/** The password typed for `user` (read from stdin without a terminal); undefined when cancelled. */
export async function askPassword(user: string, io: PromptIo): Promise<string | undefined> {
  const {stderr} = io;
  stderr.write(`Enter host password for user '${user}':`);
  const terminal = (io.openTerminal ?? controllingTerminal)();
  if (terminal === undefined) {
    stderr.write('\n');
    return (await io.readLine?.()) ?? '';
  }
  return new Promise((resolve) => {
    let entry: PasswordEntry = {text: ''};
    const finish = (password: string | undefined) => {
      terminal.off('data', onData);
      terminal.off('end', onEnd);
      terminal.setRawMode(false);
      terminal.destroy();
      stderr.write('\n');
      resolve(password);
    };
    const onData = (chunk: Buffer) => {
      entry = typePassword(entry, chunk.toString('utf8'));
      if (entry.done === 'cancel') finish(undefined);
      else if (entry.done === 'enter') finish(entry.text);
    };
    const onEnd = () => finish(entry.text);
    terminal.setRawMode(true);
    terminal.on('data', onData);
    terminal.once('end', onEnd);
  });
}

/**
 * What curl takes as the password from stdin when there is no terminal: one read of up to 2 KiB,
 * less a final line end (so `echo pw |` gives `pw`).
 */
export async function passwordFromStdin(stream: NodeJS.ReadableStream): Promise<string> {
  for await (const chunk of stream) {
    const bytes = (typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk)).subarray(
      0,
      2048,
    );
    return bytes.toString('utf8').replace(/\n$/, '');
  }
  return '';
}
