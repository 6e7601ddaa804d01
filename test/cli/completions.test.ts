/** `porthole completions`: each script loaded into its real shell and asked to complete. */
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {
  completionScript,
  explainWords,
  runCompletionsCommand,
  shells,
  subcommands,
  type Shell,
} from '../../source/cli/completions.js';
import {flagSpecs, parseCommand} from '../../source/cli/flags.js';
import {explain} from '../../source/explain/lookup.js';
import {curlOptionHelp} from '../../source/request/curl/index.js';

const root = path.resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'porthole-completions-'));
afterAll(() => rmSync(scratch, {recursive: true, force: true}));

const scripts = Object.fromEntries(
  shells.map((shell) => {
    const file = path.join(scratch, `porthole.${shell}`);
    writeFileSync(file, completionScript(shell));
    return [shell, file];
  }),
) as Record<Shell, string>;

const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const shellEnv = {...process.env, HOME: scratch, XDG_CONFIG_HOME: scratch, ZDOTDIR: scratch};
const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => '-' + letter.toLowerCase());

/** What bash's completion offers for `line` (the cursor at its end), as a person's Tab would. */
function bashComplete(line: string, cwd = scratch): string[] {
  const words = line.split(' ');
  const program = [
    'source "$1"; shift',
    'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}',
    // The function registered for porthole, as `complete -p` shows it.
    'function=$(complete -p porthole | sed -E "s/.* -F ([^ ]+) .*/\\1/")',
    '"$function" porthole "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const run = spawnSync(
    'bash',
    ['--norc', '--noprofile', '-c', program, 'bash', scripts.bash, ...words],
    {cwd, encoding: 'utf8', env: shellEnv},
  );
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout.split('\n').filter((word) => word !== '');
}

describe('porthole completions: the command', () => {
  const run = (words: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = runCompletionsCommand(words, {
      stdout: {write: (text: string) => (stdout += text)},
      stderr: {write: (text: string) => (stderr += text)},
    });
    return {code, stdout, stderr};
  };

  it('prints each script on stdout, exit 0', () => {
    for (const shell of shells) {
      const result = run([shell]);
      expect(result).toMatchObject({code: 0, stderr: ''});
      expect(result.stdout).toBe(completionScript(shell));
    }
  });

  it('asks for a shell in one line when none is named, exit 2', () => {
    expect(run([])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'porthole: completions: name a shell: bash, zsh or fish\n',
    });
  });

  it('names an unknown shell (made safe) and the ones it knows, exit 2', () => {
    expect(run(['tcsh\u001b[2J'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'porthole: completions: no script for "tcsh^[[2J"; name bash, zsh or fish\n',
    });
  });

  it('refuses more than one word, exit 2', () => {
    const result = run(['bash', 'zsh']);
    expect(result).toMatchObject({code: 2, stdout: ''});
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('runs from the command line as a user types it, exit 2 and one line without a shell', () => {
    const cli = (...words: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'cli.tsx', 'completions', ...words], {
        cwd: root,
        encoding: 'utf8',
      });
    const none = cli();
    expect(none.status).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe('porthole: completions: name a shell: bash, zsh or fish\n');
    const unknown = cli('ksh');
    expect(unknown.status).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/^porthole: completions: no script for "ksh".*\n$/);
    const bash = cli('bash');
    expect(bash.status).toBe(0);
    expect(bash.stdout).toBe(completionScript('bash'));
  });
});

describe('porthole completions: the tables', () => {
  it('puts every porthole flag, long and short, in all three scripts', () => {
    const bash = completionScript('bash');
    const zsh = completionScript('zsh');
    const fish = completionScript('fish');
    for (const [name, spec] of Object.entries(flagSpecs)) {
      const long = kebab(name);
      expect(bash).toContain(`'--${long}'`);
      expect(zsh).toMatch(new RegExp(`'[^']*--${long}=?\\[`));
      expect(fish).toContain(`-l '${long}'`);
      if ('shortFlag' in spec) {
        expect(bash).toContain(`'-${spec.shortFlag}'`);
        expect(zsh).toMatch(new RegExp(`'[^']*-${spec.shortFlag}\\+?\\[`));
        expect(fish).toContain(`-s '${spec.shortFlag}' -l '${long}'`);
      }
      // Its description, as --help gives it, where the shell shows descriptions.
      expect(fish).toContain(spec.description.replace(/'/g, "\\'"));
    }
  });

  it('puts every curl option porthole request reads in all three scripts', () => {
    const [bash, zsh, fish] = [
      completionScript('bash'),
      completionScript('zsh'),
      completionScript('fish'),
    ];
    for (const {flags} of curlOptionHelp) {
      const long = /--(\S+)/.exec(flags)?.[1];
      expect(long).toBeDefined();
      expect(bash).toContain(`'--${long}'`);
      expect(zsh).toContain(`--${long}[`);
      expect(fish).toContain(`-l '${long}'`);
    }
  });

  it('offers for --source only what the command line takes', () => {
    const offered = bashComplete('porthole --source ');
    expect(offered).toEqual(['auto', 'proc', 'systeminformation']);
    for (const source of offered) {
      expect(() => parseCommand(['--json', '--source', source], false)).not.toThrow();
    }
  });

  it('offers the commands porthole reads first', () => {
    for (const {name} of subcommands) expect(parseCommand([name], false).kind).toBe(name);
    expect(bashComplete('porthole ')).toEqual(subcommands.map(({name}) => name));
  });

  it('offers after explain words it explains', () => {
    const words = explainWords();
    for (const word of ['TIME-WAIT', '4xx', 'this-host', 'dual-stack', 'strict-transport-security'])
      expect(words).toContain(word);
    for (const word of words) expect(explain(word), word).toBeDefined();
  });
});

describe('porthole completions bash, in bash', () => {
  it('completes a flag', () => {
    expect(bashComplete('porthole --j')).toEqual(['--json']);
    expect(bashComplete('porthole --no-')).toEqual(['--no-color', '--no-local']);
  });

  it("completes curl's options after request, and not porthole's", () => {
    expect(bashComplete('porthole request --data-r')).toEqual(['--data-raw']);
    expect(bashComplete('porthole request --json-r')).toEqual(['--json-result']);
    expect(bashComplete('porthole request --no-l')).toEqual([]);
    expect(bashComplete('porthole request -X P')).toEqual(['POST', 'PUT', 'PATCH']);
  });

  it('completes the shells after completions, once', () => {
    expect(bashComplete('porthole completions ')).toEqual(['bash', 'zsh', 'fish']);
    expect(bashComplete('porthole completions bash ')).toEqual([]);
  });

  it('completes files for a flag that takes a file, directories for a root', () => {
    const dir = path.join(scratch, 'files');
    mkdirSync(path.join(dir, 'hosts.d'), {recursive: true});
    writeFileSync(path.join(dir, 'hosts.txt'), 'web-1\n');
    writeFileSync(path.join(dir, 'other'), '');
    expect(bashComplete('porthole --hosts-file ho', dir).sort()).toEqual(['hosts.d', 'hosts.txt']);
    expect(bashComplete('porthole --proc-root ho', dir)).toEqual(['hosts.d']);
    expect(bashComplete('porthole request -o ot', dir)).toEqual(['other']);
  });

  it('completes the words explain knows', () => {
    expect(bashComplete('porthole explain TIME')).toEqual(['TIME-WAIT']);
  });

  it('offers nothing where a value is free text', () => {
    expect(bashComplete('porthole --url ')).toEqual([]);
    expect(bashComplete('porthole request -H ')).toEqual([]);
  });
});

describe.skipIf(!has('zsh'))(
  'porthole completions zsh, in zsh (skipped: zsh is not installed)',
  () => {
    it('loads after compinit without a word on stderr', () => {
      const run = spawnSync(
        'zsh',
        [
          '-f',
          '-c',
          `autoload -U compinit; compinit -u -D; source ${scripts.zsh}; print -r -- $_comps[porthole]`,
        ],
        {encoding: 'utf8', env: shellEnv},
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toBe('_porthole\n');
    });

    it('is found on $fpath as _porthole by its #compdef line', () => {
      const dir = path.join(scratch, 'zfunc');
      mkdirSync(dir, {recursive: true});
      writeFileSync(path.join(dir, '_porthole'), completionScript('zsh'));
      const run = spawnSync(
        'zsh',
        [
          '-f',
          '-c',
          `fpath=(${dir} $fpath); autoload -U compinit; compinit -u -D; print -r -- $_comps[porthole]`,
        ],
        {encoding: 'utf8', env: shellEnv},
      );
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe('_porthole\n');
    });
  },
);

describe.skipIf(!has('fish'))(
  'porthole completions fish, in fish (skipped: fish is not installed)',
  () => {
    const fishComplete = (line: string) => {
      const run = spawnSync(
        'fish',
        ['--no-config', '-c', `source ${scripts.fish}; complete -C ${JSON.stringify(line)}`],
        {encoding: 'utf8', env: shellEnv, cwd: scratch},
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      return run.stdout.split('\n').filter((entry) => entry !== '');
    };

    it('parses', () => {
      const run = spawnSync('fish', ['--no-config', '-n', scripts.fish], {
        encoding: 'utf8',
        env: shellEnv,
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    });

    it('completes a flag with its description', () => {
      expect(fishComplete('porthole --j')).toEqual([`--json\t${flagSpecs.json.description}`]);
    });

    it("completes curl's options after request, and the shells after completions", () => {
      expect(fishComplete('porthole request --data-r')).toEqual([
        '--data-raw\tPOST data, @ is not special',
      ]);
      expect(fishComplete('porthole completions ')).toEqual(['bash', 'fish', 'zsh']);
      const sources = fishComplete('porthole --source ').map((entry) => entry.split('\t')[0]);
      expect(sources).toEqual(['auto', 'proc', 'systeminformation']);
    });
  },
);
