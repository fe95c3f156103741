import { describe, expect, it } from 'vitest';
import { REAL_CLOCK, VirtualClock, settle } from '../../harness/core/index.ts';

describe('VirtualClock', () => {
  it('readingAt: what virtual time read at a past wall-clock instant; undefined for the wall clock\'s future', async () => {
    const clock = new VirtualClock({ start: 5_000, autoAdvance: 'off' });
    const before = REAL_CLOCK.now();
    await REAL_CLOCK.sleep(5);
    await clock.advance(60_000);
    const afterMove = REAL_CLOCK.now();
    expect(clock.readingAt(before)).toBe(5_000);
    expect(clock.readingAt(afterMove)).toBe(65_000);
    expect(clock.readingAt(afterMove + 60_000)).toBeUndefined();
  });

  it('jumps to the next timer when nothing holds it, firing timers in due order', async () => {
    const clock = new VirtualClock({ start: 1_000 });
    const fired: Array<[string, number]> = [];
    clock.setTimer(3_600_000, () => fired.push(['hour', clock.now()]));
    clock.setTimer(2_000, () => fired.push(['2s', clock.now()]));
    clock.setTimer(2_000, () => fired.push(['2s-second', clock.now()]));
    await clock.sleep(86_400_000);
    expect(fired).toEqual([
      ['2s', 3_000],
      ['2s-second', 3_000],
      ['hour', 3_601_000],
    ]);
    expect(clock.now()).toBe(86_401_000);
  });

  it('does not jump while work is held, and jumps once it is released', async () => {
    const clock = new VirtualClock({ start: 0 });
    let fired = false;
    clock.setTimer(10_000, () => (fired = true));
    const release = clock.hold('work', 'an invocation');
    await settle();
    await settle();
    expect(fired).toBe(false);
    expect(clock.describeHolds()).toEqual([{ kind: 'work', label: 'an invocation' }]);
    release();
    await clock.sleep(0);
    await settle();
    expect(fired).toBe(true);
    expect(clock.now()).toBe(10_000);
  });

  it('does not run a pending callback out from under a client unless told to', async () => {
    const clock = new VirtualClock({ start: 0 });
    let timedOut = false;
    clock.setTimer(60_000, () => (timedOut = true));
    const release = clock.hold('callback', 'task token');
    await settle();
    await settle();
    expect(timedOut).toBe(false);
    await clock.advance(60_000);
    expect(timedOut).toBe(true);
    release();
  });

  it("jumps over pending callbacks with autoAdvance 'idle-ignoring-callbacks'", async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: 'idle-ignoring-callbacks' });
    clock.hold('callback');
    await clock.sleep(5_000);
    expect(clock.now()).toBe(5_000);
  });

  it('cancelled timers never fire and sleep rejects on abort', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: 'off' });
    let fired = false;
    clock.setTimer(1, () => (fired = true)).cancel();
    const ac = new AbortController();
    const p = clock.sleep(1_000, ac.signal);
    ac.abort(new Error('stopped'));
    await expect(p).rejects.toThrow('stopped');
    await clock.advance(10_000);
    expect(fired).toBe(false);
  });

  it('never jumps to a timer that does not wake the clock, but fires it when time passes it', async () => {
    const clock = new VirtualClock({ start: 0 });
    const fired: Array<[string, number]> = [];
    // A schedule re-arming itself: were it a waking timer, idle time would race on forever.
    const every = (ms: number) => {
      clock.setTimer(ms, () => {
        fired.push(['schedule', clock.now()]);
        every(ms);
      }, { wakesClock: false });
    };
    every(60_000);
    await settle();
    await settle();
    expect(clock.now()).toBe(0);
    expect(fired).toEqual([]);
    expect(clock.pendingTimers()).toEqual([]);
    // A Wait of 2.5 minutes moves time: the schedule fires on the way, each at its own instant.
    await clock.sleep(150_000);
    expect(fired).toEqual([
      ['schedule', 60_000],
      ['schedule', 120_000],
    ]);
    expect(clock.now()).toBe(150_000);
    await clock.advance(60_000);
    expect(fired.map(([, t]) => t)).toEqual([60_000, 120_000, 180_000]);
    await settle();
    await settle();
    expect(clock.now()).toBe(210_000);
  });

  it('reset drops every pending timer and hold and starts over at the given time', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: 'idle' });
    let fired = false;
    clock.setTimer(1_000, () => (fired = true));
    const release = clock.hold('work', 'old work');
    clock.reset({ now: 50, autoAdvance: 'idle' });
    expect(clock.now()).toBe(50);
    expect(clock.pendingTimers()).toEqual([]);
    expect(clock.describeHolds()).toEqual([]);
    // The old hold's release changes nothing; a new hold still holds.
    const hold = clock.hold('work', 'new work');
    release();
    let after = false;
    clock.setTimer(10, () => (after = true));
    await settle();
    await settle();
    expect(after).toBe(false);
    hold();
    await clock.sleep(10);
    expect(after).toBe(true);
    expect(fired).toBe(false);
  });

  it('reset forgets the moves: no wall-clock instant before it reads a time the previous run moved to', async () => {
    const clock = new VirtualClock({ start: 0, autoAdvance: 'idle' });
    await clock.advance(3_600_000);
    const moved = Date.now();
    expect(clock.readingAt(moved)).toBe(3_600_000);
    clock.reset({ now: 50, autoAdvance: 'idle' });
    expect(clock.readingAt(moved)).toBe(50);
    expect(clock.readingAt(moved - 60_000)).toBe(50);
    expect(clock.readingAt(Date.now())).toBe(50);
  });
});
