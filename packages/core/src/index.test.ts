import * as core from './index';

describe('@refresh/core entry point', () => {
  it('when imported, then it exposes every rule of the domain', () => {
    for (const name of [
      'validateAssetId', 'validateUrl', 'validateItem', 'classifyLine', 'normalizeUrl', 'itemKey',
      'parseItemKey', 'budgetDay', 'isValidTimezone', 'backoffDelay', 'chooseBatch', 'AppError',
    ]) {
      expect(typeof (core as Record<string, unknown>)[name]).toBe('function');
    }
    expect(core.PRIORITIES).toEqual(['high', 'normal', 'low']);
    expect(core.ITEM_KINDS).toEqual(['asset_id', 'url']);
    expect(core.MAX_ITEMS_PER_CALL).toBe(10);
    expect(core.MAX_URL_LENGTH).toBe(10240);
  });
});
