import { callbackUrlProblem, parseHostPattern } from './callback-url';

describe('callback URL allowlist', () => {
  const list = ['hooks.example.com', '*.cb.example.org', '127.0.0.1:8443', '[::1]:9000'];

  it('when the host is listed exactly, then http and https on the default ports are allowed, other ports are not', () => {
    expect(callbackUrlProblem('https://hooks.example.com/refresh?x=1', list)).toBeNull();
    expect(callbackUrlProblem('http://HOOKS.example.com:80/', list)).toBeNull();
    expect(callbackUrlProblem('https://hooks.example.com:8443/', list)).toMatch(/not in the caller's webhook allowlist/);
  });

  it('when an entry has a port, then only that port is allowed', () => {
    expect(callbackUrlProblem('http://127.0.0.1:8443/hook', list)).toBeNull();
    expect(callbackUrlProblem('http://127.0.0.1/hook', list)).toMatch(/allowlist/);
    expect(callbackUrlProblem('http://[::1]:9000/', list)).toBeNull();
  });

  it('when an entry is a wildcard, then subdomains match but neither the domain itself nor a look-alike', () => {
    expect(callbackUrlProblem('https://a.cb.example.org/', list)).toBeNull();
    expect(callbackUrlProblem('https://x.y.cb.example.org/', list)).toBeNull();
    expect(callbackUrlProblem('https://cb.example.org/', list)).toMatch(/allowlist/);
    expect(callbackUrlProblem('https://evilcb.example.org/', list)).toMatch(/allowlist/);
  });

  it('when an IP address is written in another form, then it is compared in canonical form and refused unless listed', () => {
    // 2130706433 and 0x7f.1 are both 127.0.0.1
    expect(callbackUrlProblem('http://2130706433:8443/', list)).toBeNull();
    expect(callbackUrlProblem('http://0x7f.1:8443/', list)).toBeNull();
    expect(callbackUrlProblem('http://169.254.169.254/latest/meta-data', list)).toMatch(/169\.254\.169\.254 is not in/);
    expect(callbackUrlProblem('http://10.0.0.1/', ['*.0.1'])).toMatch(/allowlist/);
  });

  it('when the URL is relative, of another scheme or carries credentials, then it is refused with the reason', () => {
    expect(callbackUrlProblem('/hook', list)).toMatch(/absolute http\(s\) URL/);
    expect(callbackUrlProblem('ftp://hooks.example.com/', list)).toMatch(/absolute http\(s\) URL/);
    expect(callbackUrlProblem('file:///etc/passwd', list)).toMatch(/absolute http\(s\) URL/);
    expect(callbackUrlProblem('https://user:pw@hooks.example.com/', list)).toMatch(/user name or password/);
    expect(callbackUrlProblem('https://hooks.example.com@evil.example.net/', list)).toMatch(/user name or password/);
    expect(callbackUrlProblem(`https://hooks.example.com/${'a'.repeat(2100)}`, list)).toMatch(/longer than 2048/);
  });

  it('when an allowlist entry is parsed, then schemes, paths and wildcard IPs are refused and hosts are canonical', () => {
    expect(parseHostPattern('Hooks.Example.com')).toEqual({ wildcard: false, host: 'hooks.example.com', port: null });
    expect(parseHostPattern('*.example.com:8443')).toEqual({ wildcard: true, host: 'example.com', port: 8443 });
    expect(parseHostPattern('[::1]:9000')).toEqual({ wildcard: false, host: '[::1]', port: 9000 });
    expect(parseHostPattern('https://hooks.example.com')).toMatch(/no scheme/);
    expect(parseHostPattern('hooks.example.com/path')).toMatch(/only host or host:port/);
    expect(parseHostPattern('*.10.0.0.1')).toMatch(/wildcard cannot cover IP/);
    expect(parseHostPattern('host:70000')).toMatch(/port must be/);
    expect(parseHostPattern('a*b.example.com')).toMatch(/not a host/);
  });
});
