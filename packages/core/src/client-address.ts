import { isIPv4, isIPv6 } from 'node:net';

/**
 * The address a per-client limit counts by. An IPv4 client (IPv4-mapped IPv6 included) counts by
 * its address; an IPv6 client by its /64, the smallest block a host is usually given, since one
 * host can pick any of the 2^64 addresses in it. Anything else counts as itself, lower-cased.
 */
export function clientAddress(address: string): string {
  const a = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1]!;
  if (isIPv4(a) || !isIPv6(a)) return a;
  const [head = '', tail = ''] = a.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = a.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
