import { playbackUrls } from '@refresh/vod-simulator';
import { callerWithKey, PROJECT, startSimulator, testConfig, testWorld, type Simulator } from './harness';

const API_KEY = 'switch-key';
const REGION = 'cn-north-4';
const IAM_USER = { domain: 'acme', user: 'publisher', password: 'correct horse', project: REGION };

type RefreshResult = { url?: string; asset_id?: string; status: string };

/**
 * A publishing system's own VOD code, unchanged by the switch: post VOD's RefreshAsset body,
 * then poll ShowRefreshResult until nothing is PROCESSING. Only `baseUrl` and `headers` (the
 * token) differ between calling VOD and calling the drop-in endpoint.
 */
async function refreshViaVod(
  baseUrl: string,
  projectId: string,
  headers: Record<string, string>,
  body: { asset_id_list?: string[]; urls?: string[] },
): Promise<RefreshResult[]> {
  const endpoint = `${baseUrl}/v1/${projectId}/asset/refresh`;
  const posted = await fetch(endpoint, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (posted.status !== 202) throw new Error(`RefreshAsset answered ${posted.status}: ${await posted.text()}`);
  const { task_id: taskId } = (await posted.json()) as { task_id: string };
  // bounded so a broken run fails instead of hanging; a real publisher would back off for longer
  for (let attempt = 0; attempt < 300; attempt++) {
    const res = await fetch(`${endpoint}?task_id=${encodeURIComponent(taskId)}`, { headers });
    if (res.status !== 200) throw new Error(`ShowRefreshResult answered ${res.status}: ${await res.text()}`);
    const { refresh_results: results } = (await res.json()) as { refresh_results: RefreshResult[] };
    if (!results.some((r) => r.status.toUpperCase() === 'PROCESSING')) return results;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`task ${taskId} still PROCESSING`);
}

/**
 * Switching a publishing system from VOD to the drop-in endpoint: the same function, the same
 * body, first against the VOD simulator with an IAM token, then against our API (its worker
 * sending to the same simulator) with our key in the same header.
 */
describe('switching a publishing system from VOD to the drop-in endpoint', () => {
  let sim: Simulator;
  let simUrl: string;
  let world: ReturnType<typeof testWorld>;
  let apiUrl: string;

  beforeEach(async () => {
    const started = await startSimulator({
      projects: [{ ...PROJECT, name: REGION }],
      iamUsers: [IAM_USER],
      taskDurationMs: 200,
      faults: { latencyMs: 0, errorRate5xx: 0, rate429: 0, hangRate: 0 },
    });
    sim = started.sim;
    simUrl = started.url;
    world = testWorld('drop-in-switch');
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: simUrl }], {
      callers: [callerWithKey('publisher', API_KEY, ['news'])],
      upstream: {
        pollInitialDelayMs: 100, pollMaxDelayMs: 400,
      },
    });
    apiUrl = await world.api(config);
    await world.worker(config);
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  /** The publisher's IAM token for VOD, as it gets one today. */
  async function iamToken(): Promise<string> {
    const res = await fetch(`${simUrl}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { domain: { name: IAM_USER.domain }, name: IAM_USER.user, password: IAM_USER.password } } },
          scope: { project: { name: REGION } },
        },
      }),
    });
    const token = res.headers.get('x-subject-token');
    if (res.status !== 201 || !token) throw new Error(`IAM answered ${res.status}`);
    return token;
  }

  // VOD reports an asset by its playback URLs (the simulator's catalogue derives them); the
  // drop-in endpoint, which never learns them, reports it as `asset_id` with their verdict.
  const outcome = (results: RefreshResult[]) => results.map((r) => `${r.url ?? r.asset_id} ${r.status}`).sort();
  const assetUrls = (id: string) => playbackUrls({ catalogue: {}, catalogueBase: 'https://example.com/asset' }, id);

  it('when the same function and body go first to VOD and then, with only base URL and token changed, to our service, then both end with the same verdicts', async () => {
    sim.failItems(['https://cdn.example.com/switch/broken.mp4']);
    const body = {
      asset_id_list: ['asset-switch-1'],
      urls: ['https://cdn.example.com/switch/1.m3u8', 'https://cdn.example.com/switch/2.m3u8', 'https://cdn.example.com/switch/broken.mp4'],
    };

    const viaVod = await refreshViaVod(simUrl, PROJECT.projectId, { 'X-Auth-Token': await iamToken() }, body);
    const callsBefore = sim.calls().length;
    const viaService = await refreshViaVod(apiUrl, PROJECT.projectId, { 'X-Auth-Token': API_KEY }, body);

    const urlVerdicts = [
      'https://cdn.example.com/switch/1.m3u8 SUCCEED',
      'https://cdn.example.com/switch/2.m3u8 SUCCEED',
      'https://cdn.example.com/switch/broken.mp4 FAILED',
    ];
    expect(outcome(viaVod)).toEqual([...assetUrls('asset-switch-1').map((u) => `${u} SUCCEED`), ...urlVerdicts].sort());
    expect(outcome(viaService)).toEqual(['asset-switch-1 SUCCEED', ...urlVerdicts].sort());
    // our worker really sent them to VOD: one call per kind
    expect(sim.calls().slice(callsBefore).flatMap((c) => c.items).sort()).toEqual([...body.asset_id_list, ...body.urls].sort());
  });
});
