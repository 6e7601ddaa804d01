import {describe, expect, it} from 'vitest';
import {hostsFileLines, maxHosts, planFleet} from '../../source/fleet/targets.js';

const none = {hosts: [], hostsFile: undefined, sshConfig: undefined, noLocal: false};

describe('which hosts to watch', () => {
  it('takes --host and the hosts file, in order, once each; the config only when neither is given', () => {
    const files = {'/hosts': 'web-2\n# a comment\n\n  db-1  # primary\nweb-1\n'};
    const plan = planFleet(
      {...none, hosts: ['web-1', 'deploy@10.0.0.5:2222'], hostsFile: '/hosts'},
      {hosts: ['from-config']},
      (file) => files[file as keyof typeof files],
    );
    expect(plan.targets.map((target) => target.text)).toEqual([
      'web-1',
      'deploy@10.0.0.5:2222',
      'web-2',
      'db-1',
    ]);
    expect(plan.targets[1]).toMatchObject({user: 'deploy', host: '10.0.0.5', port: 2222});
    expect(plan.local).toBe(true);
    expect(planFleet(none, {hosts: ['a', 'b']}).targets.map((t) => t.text)).toEqual(['a', 'b']);
    expect(planFleet(none, {}).targets).toEqual([]);
  });

  it('uses --ssh-config over the config file, and leaves this machine out with --no-local', () => {
    const readable = () => '';
    const plan = planFleet(
      {...none, hosts: ['a'], sshConfig: '/given', noLocal: true},
      {sshConfig: '/configured'},
      readable,
    );
    expect(plan).toMatchObject({local: false, sshConfig: '/given'});
    expect(planFleet({...none, hosts: ['a']}, {sshConfig: '/configured'}, readable).sshConfig).toBe(
      '/configured',
    );
  });

  it('refuses what cannot be a host, in one line naming where it came from', () => {
    const bad = (hosts: string[]) => () => planFleet({...none, hosts}, {});
    expect(bad(['-oProxyCommand=x'])).toThrow(/^--host: bad host .*starts with "-"$/);
    expect(bad(['web 1'])).toThrow(/--host: bad host "web 1": spaces/);
    expect(bad(['a:99999'])).toThrow(/port 99999 out of range/);
    expect(bad(['local'])).toThrow(/"local" names this machine/);
    expect(() => planFleet({...none, hostsFile: '/h'}, {}, () => 'ok\n\u001b[2Jbad\n')).toThrow(
      /^\/h: bad host/,
    );
    expect(() => planFleet({...none, noLocal: true}, {})).toThrow(/--no-local: no hosts/);
    expect(() =>
      planFleet({...none, hostsFile: '/absent'}, {}, () => {
        throw Object.assign(new Error('gone'), {code: 'ENOENT'});
      }),
    ).toThrow('--hosts-file: cannot read /absent: ENOENT');
    const many = Array.from({length: maxHosts + 1}, (_, n) => `h${n}`);
    expect(bad(many)).toThrow(/at most 200/);
  });

  it('reads a hosts file as one host a line', () => {
    expect(hostsFileLines('a\r\n b \n#c\n\nd # e\n')).toEqual(['a', 'b', 'd']);
  });
});

describe('the ssh config file', () => {
  it('must be readable when hosts are to be watched, said once in one line', () => {
    const absent = () => {
      throw Object.assign(new Error('gone'), {code: 'ENOENT'});
    };
    expect(() => planFleet({...none, hosts: ['a'], sshConfig: '/nonexist'}, {}, absent)).toThrow(
      '--ssh-config: cannot read /nonexist: ENOENT',
    );
    expect(() => planFleet({...none, hosts: ['a']}, {sshConfig: '/nonexist'}, absent)).toThrow(
      'config sshConfig: cannot read /nonexist: ENOENT',
    );
    // Without hosts it is not used, so not read.
    expect(planFleet({...none, sshConfig: '/nonexist'}, {}, absent).targets).toEqual([]);
  });
});
