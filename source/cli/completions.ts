/**
 * `porthole completions bash|zsh|fish`: a completion script for the shell, made from the flag table
 * that `--help` is made from (source/cli/flags.ts) and the request command's curl options.
 */
export type CompletionsIo = {stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream};

/** Prints the script for `words[0]`; exit 0, or 2 with one line for no shell or an unknown one. */
export function runCompletionsCommand(words: string[], io: CompletionsIo): number {
  void words;
  io.stderr.write('porthole: completions: not built yet\n');
  return 1;
}
