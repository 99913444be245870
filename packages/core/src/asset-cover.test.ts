import { assetIdFromUrl, assetPatternProblem } from './asset-cover';

const VOD_PLAYBACK = '^https?://[^/]+/asset/([0-9a-f]{32})/';

describe('asset cover pattern', () => {
  it('when a pattern compiles and has one capture group, then it is accepted', () => {
    expect(assetPatternProblem(VOD_PLAYBACK)).toBeNull();
    expect(assetPatternProblem('/asset/(?<id>[0-9a-f]{32})/')).toBeNull();
    expect(assetPatternProblem('/(?:asset|media)/([0-9a-f]{32})/')).toBeNull();
  });

  it('when a pattern does not compile or has no or several groups, then the problem says which', () => {
    expect(assetPatternProblem('/asset/([0-9a-f]{32}/')).toMatch(/^does not compile/);
    expect(assetPatternProblem('/asset/[0-9a-f]{32}/')).toBe('must have exactly one capture group, has 0');
    expect(assetPatternProblem('/(asset)/([0-9a-f]{32})/')).toBe('must have exactly one capture group, has 2');
  });

  it("when a URL carries an asset id where the pattern says, then that is its asset; otherwise it has none", () => {
    const re = new RegExp(VOD_PLAYBACK);
    expect(assetIdFromUrl('https://example.com/asset/9db42f5e08c15edecd99a98da241994a/313bfd52a75f95ff48e8bf02eca2ab20.flv', re))
      .toBe('9db42f5e08c15edecd99a98da241994a');
    expect(assetIdFromUrl('https://example.com/img/logo.png', re)).toBeNull();
  });

  it('when the capture is not a valid asset id, then the URL has no asset (it is refreshed as a URL)', () => {
    expect(assetIdFromUrl('https://example.com/a/b%20c/x', /\/a\/([^/]+)\//)).toBeNull();
    expect(assetIdFromUrl('https://example.com/a//x', /\/a\/([^/]*)\//)).toBeNull();
  });
});
