/**
 * The full-screen session: the alternate screen on start, and the terminal restored exactly on
 * every way out — quit, SIGTERM, SIGHUP (a dropped SSH session), SIGINT, a crash.
 */
import {writeSync} from 'node:fs';

const enterAlternateScreen = '\u001B[?1049h\u001B[H';
/** Pastes arrive between ESC [200~ and ESC [201~, so a pasted line break is not Enter. */
const enableBracketedPaste = '\u001B[?2004h';
const leaveAlternateScreen = '\u001B[?1049l';
const showCursor = '\u001B[?25h';
/** Bracketed paste (turned on at start) and mouse modes off, in case anything turned them on. */
const resetModes = '\u001B[?2004l\u001B[?1000l\u001B[?1002l\u001B[?1006l';

const signals = ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT'] as const;
const signalNumbers: Record<(typeof signals)[number], number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGTERM: 15,
};

export type FullScreen = {
  /** Restores the terminal; safe to call more than once. */
  restore(): void;
  /**
   * Ctrl-Z, as other full-screen programs take it: the main screen and cooked mode back, the
   * process stopped as a shell job; resolves on SIGCONT (`fg`) with the alternate screen entered
   * again, for the caller to draw the whole screen anew. Resolves false where nothing can resume
   * a stopped job (no shell with job control above it: the kernel drops the stop).
   */
  suspend(): Promise<boolean>;
};

type Streams = {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
};

function writeNow(fd: number, text: string): void {
  try {
    writeSync(fd, text);
  } catch {
    // The terminal may be gone (SIGHUP after a dropped SSH session): nothing left to restore.
  }
}

/**
 * Switches to the alternate screen and arranges for the terminal to be restored. `beforeRestore`
 * runs first on every path (it unmounts the UI so Ink releases raw mode and shows the cursor).
 */
export function enterFullScreen(
  {stdout, stdin}: Streams,
  beforeRestore: () => void,
  onUnhandledRejection: (error: unknown) => void,
): FullScreen {
  let restored = false;
  const fd = (stdout as NodeJS.WriteStream & {fd?: number}).fd ?? 1;

  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      beforeRestore();
    } catch {
      // Restoring must go on even if the UI cannot unmount cleanly.
    }
    try {
      if (stdin.isTTY) stdin.setRawMode(false);
    } catch {
      // stdin already closed
    }
    writeNow(fd, resetModes + showCursor + leaveAlternateScreen);
    for (const signal of signals) process.off(signal, onSignal);
    process.off('exit', restore);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onUnhandledRejection);
  };

  function onSignal(signal: (typeof signals)[number]) {
    restore();
    process.exit(128 + signalNumbers[signal]);
  }

  function onCrash(error: unknown) {
    restore();
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    writeNow(2, `porthole crashed: ${message}\n`);
    process.exit(70);
  }

  const suspend = () =>
    new Promise<boolean>((resolve) => {
      try {
        if (stdin.isTTY) stdin.setRawMode(false);
      } catch {
        // stdin already closed
      }
      writeNow(fd, resetModes + showCursor + leaveAlternateScreen);
      // A signal listener does not keep Node running: without this, the dashboard would exit on
      // `fg` when nothing else holds the event loop.
      const awake = setInterval(() => {}, 60_000);
      const wake = (stopped: boolean) => {
        clearInterval(awake);
        clearTimeout(notStopped);
        process.off('SIGCONT', onContinue);
        writeNow(fd, enterAlternateScreen + enableBracketedPaste);
        resolve(stopped);
      };
      const onContinue = () => wake(true);
      process.on('SIGCONT', onContinue);
      process.kill(process.pid, 'SIGTSTP');
      // Stopped, the process runs on only after SIGCONT, which is then handled before this timer.
      // An orphaned process group (started without job control) is not stopped at all.
      const notStopped = setTimeout(() => wake(false), 100);
    });

  writeNow(fd, enterAlternateScreen + enableBracketedPaste);
  for (const signal of signals) process.on(signal, onSignal);
  process.on('exit', restore);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onUnhandledRejection);
  return {restore, suspend};
}
