import { unpack } from 'msgpackr';
import { itemDigest } from './keys';
import { packStrings, prepareChunk } from './coalesce-chunk';

/**
 * A worker prepares each chunk before Redis sees it: repeats collapsed, digests made and checked
 * for collisions, the lists packed as MessagePack arrays (coalesce-chunk.ts). Whatever it gets
 * wrong here, the script would take on trust, so each of these is a story of its own.
 */
describe('a chunk prepared for coalescing', () => {
  it('when a chunk repeats items, then each goes once, in order of first appearance, and the repeats are counted', () => {
    const chunk = prepareChunk(['u:https://a.example/1', 'a:x', 'u:https://a.example/1', 'a:x', 'a:y']);
    expect(chunk).toMatchObject({ repeats: 2, assetIds: null, digestsDistinct: true });
    expect(unpack(chunk.keys)).toEqual(['u:https://a.example/1', 'a:x', 'a:y']);
    expect(unpack(chunk.digests)).toEqual(['u:https://a.example/1', 'a:x', 'a:y'].map(itemDigest));
  });

  it('when two different items have one digest, then both go, and the chunk says its digests are not distinct', () => {
    const sameDigest = (key: string) => (key.startsWith('u:') ? 'aaaaaaaaaaaa' : itemDigest(key));
    const chunk = prepareChunk(['u:https://a.example/1', 'u:https://a.example/2', 'u:https://a.example/2', 'u:https://a.example/1'], undefined, sameDigest);
    expect(chunk).toMatchObject({ repeats: 2, digestsDistinct: false });
    expect(unpack(chunk.digests)).toEqual(['aaaaaaaaaaaa', 'aaaaaaaaaaaa']);
    expect(unpack(chunk.keys)).toEqual(['u:https://a.example/1', 'u:https://a.example/2']);
  });

  it('when a URL\'s asset has the digest of another item, then the chunk says its digests are not distinct; its own asset id does not count', () => {
    const collide = (key: string) => (key === 'a:asset1' || key === 'u:https://a.example/2' ? 'bbbbbbbbbbbb' : itemDigest(key));
    expect(prepareChunk(['u:https://a.example/asset1/1', 'u:https://a.example/2'], ['asset1', null], collide).digestsDistinct).toBe(false);
    expect(prepareChunk(['u:https://a.example/asset1/1', 'a:asset1'], ['asset1', null], collide).digestsDistinct).toBe(true);
    const chunk = prepareChunk(['u:https://a.example/asset1/1', 'a:asset1'], ['asset1', null]);
    expect(unpack(chunk.assetIds!)).toEqual(['asset1', '']);
  });

  it('when an item key is empty or holds a line break, then it is refused rather than split in two', () => {
    expect(() => prepareChunk(['a:x', ''])).toThrow('never empty');
    expect(() => prepareChunk(['u:https://a.example/1\nu:https://a.example/2'])).toThrow('line break');
    expect(() => prepareChunk(['u:https://a.example/1', 'u:https://a.example/2'], ['x\ny', null])).toThrow('line break');
  });

  it('when strings of every length class and of many bytes a character are packed, then MessagePack reads them back as they were', () => {
    const values = ['', 'ab', 'é€😀', 'x'.repeat(255), 'y'.repeat(256), 'z'.repeat(70_000)];
    expect(unpack(packStrings(values))).toEqual(values);
    expect(unpack(packStrings([]))).toEqual([]);
  });
});
