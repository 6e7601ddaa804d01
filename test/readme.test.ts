import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {flagSpecs} from '../source/cli/flags.js';
import {schema} from './helpers/snapshot-schema.js';

const readme = readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8');

describe('README', () => {
  it('gives the two quick-start commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });

  it('documents every flag', () => {
    for (const name of Object.keys(flagSpecs)) {
      expect(readme).toContain('--' + name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()));
    }
  });

  it('documents every field of the JSON snapshot', () => {
    for (const field of new Set(Object.values(schema).flat())) {
      expect(readme).toContain(`"${field}"`);
    }
  });
});
