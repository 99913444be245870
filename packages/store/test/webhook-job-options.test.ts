import { webhookJobOptions } from '../src';

describe('webhook job options', () => {
  it('when webhook jobs fail for good, then the queue keeps at most keepFailed of them, and none beyond a week', () => {
    expect(webhookJobOptions(10, 500).removeOnFail).toEqual({ age: 7 * 24 * 3600, count: 500 });
  });
});
