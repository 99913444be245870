import { QUEUE_NAMES, queuePrefix, type PollJob } from '@refresh/store';
import { Queue } from 'bullmq';
import { PROJECT, busiestSecond, eventually, recordCallSlots, startSimulator, testConfig, testWorld, urls, type Simulator } from './harness';

/**
 * Result polls pass the same tenant gate as dispatch: a paused tenant's polls wait (and never log
 * in to IAM with a refused password), and polls share the tenant's call rate with RefreshAsset.
 * Real workers, real Redis, the simulator over HTTP.
 */
const REGION = 'cn-north-4';
const USER = { domain: 'acme', user: 'refresher', password: 'correct horse', project: REGION };

describe('result polling behind the tenant gate', () => {
  let sim: Simulator;
  let simUrl: string;
  let world: ReturnType<typeof testWorld>;

  const upstream = (extra: Record<string, number> = {}) => ({
    pollInitialDelayMs: 100, pollMaxDelayMs: 200, pollMaxAgeMs: 60_000, ...extra,
  });

  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  const refusedLogins = () => sim.iamLogins().filter((l) => !l.accepted).length;

  it('when the IAM password goes wrong while tasks are polled, then IAM sees no login while the tenant is paused, and the polls reach a verdict once it resumes', async () => {
    ({ sim, url: simUrl } = await startSimulator({ projects: [{ ...PROJECT, name: REGION }], iamUsers: [USER], taskDurationMs: 2500 }));
    world = testWorld('poll-gate');
    const results = new Queue<PollJob>(QUEUE_NAMES.results, { connection: world.redis, prefix: queuePrefix(world.prefix) });
    world.onClose(() => results.close());
    const config = testConfig(
      world.prefix,
      [{ id: 'tv', endpoint: simUrl, auth: { type: 'token', iamEndpoint: simUrl, ...USER } }],
      { upstream: upstream({ pauseCooldownMs: 2500 }) },
    );
    const w = await world.worker(config);

    const first = await world.submit('tv', urls(3));
    await eventually(async () => (await world.requests.get(first))?.counts.submitted === 3, 'first batch accepted and being polled');
    expect(sim.tokensIssued()).toBe(1);

    // the IAM user's password is changed behind our back: its token stops working, the old password is refused
    sim.setIamPassword(USER.domain, USER.user, 'changed by someone');
    const second = await world.submit('tv', urls(2, 'http://cdn.example.com/later'));
    const pause = await eventually(async () => (await w.gate.getPause('tv')) ?? undefined, 'tenant paused');
    expect(pause.reason).toBe('credentials');
    // The dispatch probe is due pauseCooldownMs after the pause and would log in with the wrong
    // password again: hold it (dispatch paused) until the test has fixed the password, instead of
    // racing the cool-down. Then let whatever passed the gate before the pause stood finish.
    await world.dispatchQueue.pause();
    await eventually(async () => {
      const [d, p] = await Promise.all([world.dispatchQueue.getActiveCount(), results.getActiveCount()]);
      return d + p === 0;
    }, 'no job between gate and call');
    // the poll and the dispatch may each have met the refusal before the pause stood; never more
    const refusedAtPause = refusedLogins();
    expect(refusedAtPause).toBeGreaterThanOrEqual(1);
    expect(refusedAtPause).toBeLessThanOrEqual(2);
    expect(sim.iamLogins().length).toBe(refusedAtPause + 1); // the one accepted login, before the change
    const showsAtPause = sim.arrivals().filter((a) => a.api === 'show_result').length;

    // several poll intervals (≤ 200 ms each) while paused: nothing reaches IAM or VOD
    await new Promise((r) => setTimeout(r, 1200));
    expect(await w.gate.getPause('tv')).not.toBeNull();
    expect(sim.iamLogins().length).toBe(refusedAtPause + 1);
    expect(sim.arrivals().filter((a) => a.api === 'show_result').length).toBe(showsAtPause);
    // the polled items wait, neither lost nor failed, and their poll job used no attempt
    expect((await world.requests.get(first))?.counts).toMatchObject({ submitted: 3, failed: 0, unknown: 0 });
    const polls = await results.getJobs(['delayed', 'waiting', 'active', 'prioritized']);
    expect(polls.map((j) => j.attemptsMade)).toEqual([0]);

    // IAM takes our password again: the next dispatch probe logs in, VOD accepts, the pause lifts
    sim.setIamPassword(USER.domain, USER.user, USER.password);
    await world.dispatchQueue.resume();
    const [a, b] = [await eventually(world.final(first), 'first request final'), await eventually(world.final(second), 'second request final')];
    expect(a.counts).toMatchObject({ completed: 3, failed: 0, unknown: 0 });
    expect(b.counts).toMatchObject({ completed: 2, failed: 0, unknown: 0 });
    expect(await w.gate.getPause('tv')).toBeNull();
    expect(refusedLogins()).toBe(refusedAtPause);
  });

  it('when polls and batches go out together, then in any one-second window they never exceed the call rate plus its burst', async () => {
    ({ sim, url: simUrl } = await startSimulator({ taskDurationMs: 1500 }));
    world = testWorld('poll-rate');
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: simUrl, maxCallsPerSecond: 4 }], {
      batching: { lingerMs: 0 },
      upstream: upstream({ pollInitialDelayMs: 50, pollMaxDelayMs: 100 }),
      worker: { concurrency: 16, stalledIntervalMs: 1000, lockDurationMs: 2000 },
    });
    // two replicas, sharing the rate
    const slots = [recordCallSlots(await world.worker(config)), recordCallSlots(await world.worker(config))];

    const id = await world.submit('news', urls(60));
    const r = await eventually(world.final(id), 'every verdict in', 60_000);
    expect(r.counts).toMatchObject({ completed: 60, failed: 0, unknown: 0 });

    const arrivals = sim.arrivals();
    const shows = arrivals.filter((a) => a.api === 'show_result').length;
    // unpaced, each batch would be polled every 50-100 ms: polls are most of the traffic
    expect(shows).toBeGreaterThan(arrivals.length - shows);
    // every call VOD saw left with a slot of the shared rate (a call that skipped the gate would not)
    const departures = slots.flat();
    expect(arrivals.length).toBeLessThanOrEqual(departures.length);
    // and in any one second both replicas together let out at most the rate plus a burst of one
    // second's worth (counted as calls leave: arrival times also carry the test process's lag)
    expect(busiestSecond(departures)).toBeLessThanOrEqual(4 + 4);
  });
});
