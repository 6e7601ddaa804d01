import {describe, expect, test} from 'vitest';
import {curlLines} from '../../source/ui/request/curl-view.js';

describe('a copied curl command on screen', () => {
  test('hides a client key password given after the certificate file, and --pass', () => {
    expect(
      curlLines("curl --cert client.pem:s3cret --pass hunter2 'https://api.test/'", false),
    ).toEqual(["curl --cert 'client.pem:••••' --pass '••••••••' https://api.test/"]);
    // The shell keeps the backslash inside quotes; curl then reads \: as a colon of the file name.
    expect(curlLines("curl -E 'dir\\:x/client.pem' https://api.test/", false)).toEqual([
      "curl -E 'dir\\:x/client.pem' https://api.test/",
    ]);
  });

  test('shows it when revealed, and masks the other credentials', () => {
    expect(curlLines('curl -E client.pem:s3cret https://api.test/', true)).toEqual([
      'curl -E client.pem:s3cret https://api.test/',
    ]);
    expect(
      curlLines("curl -u bob:pw -H 'Authorization: Bearer abc' https://api.test/", false)[0],
    ).not.toMatch(/pw|abc/);
  });
});
