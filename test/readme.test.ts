import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {flagSpecs} from '../source/cli/flags.js';
import {schema} from './helpers/snapshot-schema.js';
import {requestResultSchema} from './helpers/request-result-schema.js';
import {fleetSchema} from './helpers/fleet-schema.js';

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

  it('documents every field of the JSON of several hosts', () => {
    const section = readme.slice(readme.indexOf('### Several hosts'), readme.indexOf('## Library'));
    for (const field of new Set(Object.values(fleetSchema).flat())) {
      expect(section).toContain(`"${field}"`);
    }
  });

  it('documents every key of porthole request --json-result', () => {
    const section = readme.slice(
      readme.indexOf('### JSON result'),
      readme.indexOf('## JSON snapshot'),
    );
    for (const spec of Object.values(requestResultSchema)) {
      for (const key of Object.keys(spec)) expect(section).toContain(`"${key}"`);
    }
  });
});
