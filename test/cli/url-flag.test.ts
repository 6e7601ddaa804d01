import {describe, expect, it} from 'vitest';
import {formOfUrlFlag} from '../../source/cli/url-flag.js';

const blank = {
  method: 'GET',
  headers: '',
  body: '',
  options: '',
  insecure: false,
  followRedirects: false,
};

describe('--url', () => {
  it('takes a URL, adding http:// when it has no scheme, as curl', () => {
    expect(formOfUrlFlag('http://127.0.0.1:8080/x')).toEqual({
      form: {...blank, url: 'http://127.0.0.1:8080/x'},
      notes: [],
    });
    expect(formOfUrlFlag('localhost:8080/x').form.url).toBe('http://localhost:8080/x');
    expect(formOfUrlFlag('localhost:8080/x', 'HEAD').form.method).toBe('HEAD');
  });

  it('fills the whole form from a curl command', () => {
    const {form, notes} = formOfUrlFlag(
      "curl -k -L -X PUT -H 'A: b' -H 'C: d' -d x=1 --compressed localhost:8080/x",
    );
    expect(form).toMatchObject({
      method: 'PUT',
      url: 'localhost:8080/x',
      headers: 'A: b\nC: d',
      body: 'x=1',
      insecure: true,
      followRedirects: true,
    });
    expect(form.options).toContain('--compressed');
    expect(notes).toEqual([]);
  });

  it('names what only shapes curl output, and lets -X name the method', () => {
    const {form, notes} = formOfUrlFlag('curl -s -o out.txt http://127.0.0.1/', 'DELETE');
    expect(form.method).toBe('DELETE');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('-o out.txt');
  });

  it('keeps a command it cannot read in the URL field, with the reason', () => {
    const text = "curl --frobnicate 'http://127.0.0.1/'";
    const {form, problem} = formOfUrlFlag(text);
    expect(form.url).toBe(text);
    expect(problem).toMatch(/^not read as curl: unsupported curl option --frobnicate/);
  });
});
