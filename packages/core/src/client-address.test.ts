import { clientAddress } from './client-address';

describe('clientAddress', () => {
  it('when the client is IPv4, plain or mapped into IPv6, then it counts by its address', () => {
    expect(clientAddress('127.0.0.2')).toBe('127.0.0.2');
    expect(clientAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
  });

  it('when the client is IPv6, then every address of one /64 counts as one', () => {
    expect(clientAddress('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddress('::1')).toBe('0:0:0:0::/64');
    expect(clientAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('when it is not an address, then it counts as itself', () => {
    expect(clientAddress('')).toBe('');
    expect(clientAddress('Unknown')).toBe('unknown');
  });
});
