import { ItemChunkWriter, itemChunk } from './item-chunk';

describe('ItemChunkWriter', () => {
  it('when item keys are added, then the chunk holds their bytes joined by newlines, with their count and bytes', () => {
    const writer = new ItemChunkWriter();
    for (const key of ['a:1', 'u:https://x.example/ü?q=€', 'a:' + 'z'.repeat(100)]) writer.add(key);
    const chunk = writer.take();
    expect(chunk.bytes.toString('utf8').split('\n')).toEqual(['a:1', 'u:https://x.example/ü?q=€', 'a:' + 'z'.repeat(100)]);
    expect(chunk.count).toBe(3);
    expect(chunk.itemBytes).toBe(chunk.bytes.length - 2);
  });

  it('when a chunk is taken, then the next is written into a Buffer of its own and the taken one stays as it was', () => {
    const writer = new ItemChunkWriter();
    writer.add('a:first');
    const first = writer.take();
    writer.add('a:second');
    expect(first.bytes.toString()).toBe('a:first');
    expect(writer.take().bytes.toString()).toBe('a:second');
  });

  it('when the writer is cleared, then what it held is gone and the next item starts a new chunk', () => {
    const writer = new ItemChunkWriter();
    writer.add('a:dropped');
    writer.clear();
    writer.add('a:kept');
    expect(writer.take()).toEqual({ bytes: Buffer.from('a:kept'), count: 1, itemBytes: 6 });
  });

  it('when a list of keys is made a chunk, then it equals the one written key by key', () => {
    expect(itemChunk(['a:1', 'a:2']).bytes.toString()).toBe('a:1\na:2');
  });
});
