import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { pino } from 'pino';
import { LogError } from '../errors.js';
import { RecordBatchEncoder } from '../format/record-batch-encoder.js';
import { topicPartitionKey, type TopicPartition } from '../record.js';
import { FileLogStorage } from '../storage/file/file-log-storage.js';
import { parseTopicConfig } from '../topics/topic-config.js';
import { CooperativeStickyAssignor } from './assignors/cooperative-sticky-assignor.js';
import type { PartitionAssignor } from './assignors/partition-assignor.js';
import { RangeAssignor } from './assignors/range-assignor.js';
import { ConsumerGroupMember, type ConsumerGroupMemberOptions } from './consumer-group-member.js';
import type { GroupCoordinator } from './group-coordinator.js';
import { InProcessGroupCoordinator } from './in-process-group-coordinator.js';
import { LogOffsetStore } from './log-offset-store.js';
import { systemTimers, type Timers } from './timers.js';

jest.setTimeout(10_000);

const GROUP = 'sinks';
const FAST = { sessionTimeoutMs: 300, heartbeatIntervalMs: 20, rebalanceTimeoutMs: 3_000 };

function names(tps: readonly TopicPartition[]): string {
  return tps
    .map((tp) => `${tp.topic}-${tp.partition}`)
    .sort()
    .join(',');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 4_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

/** Timers that count what is scheduled, to prove close() leaves nothing behind. */
function trackingTimers(): Timers & { readonly active: number } {
  const live = new Set<unknown>();
  return {
    now: () => Date.now(),
    setTimeout(callback, ms) {
      const handle = systemTimers.setTimeout(() => {
        live.delete(handle);
        callback();
      }, ms);
      live.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      live.delete(handle);
      systemTimers.clearTimeout(handle);
    },
    get active() {
      return live.size;
    },
  };
}

/** A coordinator that can be cut off, as if the member's process froze. */
function cuttable(inner: GroupCoordinator): GroupCoordinator & { cut: boolean } {
  const wrapper = { cut: false } as GroupCoordinator & { cut: boolean };
  for (const method of [
    'joinGroup',
    'syncGroup',
    'heartbeat',
    'leaveGroup',
    'commitOffsets',
    'fetchOffsets',
    'deleteOffsets',
    'listGroups',
    'describeGroup',
    'close',
  ] as const) {
    (wrapper as unknown as Record<string, unknown>)[method] = (...args: unknown[]) =>
      wrapper.cut
        ? Promise.reject(new LogError('CLOSED', 'cut off'))
        : (inner[method] as (...a: unknown[]) => Promise<unknown>).apply(inner, args);
  }
  return wrapper;
}

/** Who holds each partition, across members: the cooperative promise is that nobody takes one still held. */
class Ownership {
  readonly owners = new Map<string, string>();
  readonly violations: string[] = [];

  take(member: string, tps: TopicPartition[]): void {
    for (const tp of tps) {
      const holder = this.owners.get(topicPartitionKey(tp));
      if (holder !== undefined && holder !== member)
        this.violations.push(`${member} got ${topicPartitionKey(tp)} from ${holder}`);
      this.owners.set(topicPartitionKey(tp), member);
    }
  }

  release(member: string, tps: TopicPartition[]): void {
    for (const tp of tps)
      if (this.owners.get(topicPartitionKey(tp)) === member) this.owners.delete(topicPartitionKey(tp));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Harness {
  coordinator: InProcessGroupCoordinator;
  counts: Map<string, number>;
  ownership: Ownership;
}

function harness(
  counts: Record<string, number> = { t: 4 },
  coordinator = new InProcessGroupCoordinator(),
): Harness {
  cleanups.push(() => coordinator.close());
  return { coordinator, counts: new Map(Object.entries(counts)), ownership: new Ownership() };
}

class TestMember {
  readonly events: string[] = [];
  readonly member: ConsumerGroupMember;
  readonly pollErrors: unknown[] = [];
  private loop: Promise<void> | undefined;
  private running = false;
  failNextAssign = false;

  constructor(
    private readonly h: Harness,
    readonly name: string,
    topics: string[],
    options: Partial<ConsumerGroupMemberOptions> = {},
  ) {
    this.member = new ConsumerGroupMember({
      coordinator: h.coordinator,
      groupId: GROUP,
      clientId: name,
      ...FAST,
      partitionCount: (topic) => h.counts.get(topic),
      listener: {
        onPartitionsAssigned: (tps) => {
          this.events.push(`assigned:${names(tps)}`);
          h.ownership.take(name, tps);
          if (this.failNextAssign) {
            this.failNextAssign = false;
            throw new Error('listener failed');
          }
        },
        onPartitionsRevoked: (tps) => {
          this.events.push(`revoked:${names(tps)}`);
          h.ownership.release(name, tps);
        },
        onPartitionsLost: (tps) => {
          this.events.push(`lost:${names(tps)}`);
          h.ownership.release(name, tps);
        },
      },
      ...options,
    });
    this.member.subscribe(topics);
    cleanups.push(() => this.close());
  }

  /** Polls every few milliseconds, as a consumer's fetch loop would. */
  start(): this {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.member.poll();
        } catch (err) {
          this.pollErrors.push(err);
        }
        await sleep(5);
      }
    })();
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.member.close().catch(() => undefined);
  }

  count(): number {
    return this.member.assignment().length;
  }
}

function settled(members: TestMember[], total: number): boolean {
  const counts = members.map((m) => m.count());
  return (
    counts.reduce((a, b) => a + b, 0) === total &&
    Math.max(...counts) - Math.min(...counts) <= 1 &&
    members.every((m) => !m.member.needsRejoin())
  );
}

describe('ConsumerGroupMember', () => {
  it('gets every partition when it is alone', async () => {
    const h = harness();
    const m1 = new TestMember(h, 'm1', ['t']).start();
    await until('m1 owns 4', () => m1.count() === 4);
    expect(m1.events).toEqual(['assigned:t-0,t-1,t-2,t-3']);
    expect(m1.member.memberRef()).toMatchObject({ groupId: GROUP, generationId: 1 });
  });

  it('cooperative: members joining take only what moves, and nothing is ever held twice', async () => {
    const h = harness({ t: 4 });
    const m1 = new TestMember(h, 'm1', ['t']).start();
    await until('m1 owns 4', () => m1.count() === 4);
    const m2 = new TestMember(h, 'm2', ['t']).start();
    await until('two members balanced', () => settled([m1, m2], 4));
    const m3 = new TestMember(h, 'm3', ['t']).start();
    await until('three members balanced', () => settled([m1, m2, m3], 4));

    expect(h.ownership.violations).toEqual([]);
    expect([m1, m2, m3].every((m) => m.pollErrors.length === 0)).toBe(true);
    // m1 kept what it did not have to give up: it never revoked everything, never lost anything.
    expect(m1.events[0]).toBe('assigned:t-0,t-1,t-2,t-3');
    const revokedByM1 = m1.events
      .filter((e) => e.startsWith('revoked:'))
      .flatMap((e) => e.slice(8).split(','));
    expect(revokedByM1.length).toBe(4 - m1.count());
    expect(m1.events.some((e) => e.startsWith('lost:'))).toBe(false);
    expect(m1.events.filter((e) => e.startsWith('assigned:')).slice(1)).toEqual(
      m1.events
        .filter((e) => e.startsWith('assigned:'))
        .slice(1)
        .map(() => 'assigned:'),
    );
  });

  it('eager: every rebalance revokes everything before rejoining', async () => {
    const h = harness({ t: 4 });
    const range = { assignors: [new RangeAssignor()] };
    const m1 = new TestMember(h, 'm1', ['t'], range).start();
    await until('m1 owns 4', () => m1.count() === 4);
    const m2 = new TestMember(h, 'm2', ['t'], range).start();
    await until('two members balanced', () => settled([m1, m2], 4));
    expect(m1.events).toEqual(['assigned:t-0,t-1,t-2,t-3', 'revoked:t-0,t-1,t-2,t-3', 'assigned:t-0,t-1']);
    expect(m2.events).toEqual(['assigned:t-2,t-3']);
  });

  it('hands a leaving member its partitions back to the others', async () => {
    const h = harness({ t: 4 });
    const m1 = new TestMember(h, 'm1', ['t']).start();
    const m2 = new TestMember(h, 'm2', ['t']).start();
    await until('two members balanced', () => settled([m1, m2], 4));
    const held = names(m2.member.assignment());
    await m2.close();
    expect(m2.events[m2.events.length - 1]).toBe(`revoked:${held}`);
    await until('m1 owns 4', () => m1.count() === 4);
    expect((await h.coordinator.describeGroup(GROUP)).members).toHaveLength(1);
    expect(h.ownership.violations).toEqual([]);
  });

  it('drops a member that stops heartbeating once its session expires', async () => {
    const h = harness({ t: 4 });
    const m1 = new TestMember(h, 'm1', ['t']).start();
    const frozen = cuttable(h.coordinator);
    const m2 = new TestMember({ ...h, coordinator: frozen as unknown as InProcessGroupCoordinator }, 'm2', [
      't',
    ]).start();
    await until('two members balanced', () => settled([m1, m2], 4));
    await m2.stop();
    frozen.cut = true;
    const frozenAt = Date.now();
    await until('m1 owns 4', () => m1.count() === 4);
    expect(Date.now() - frozenAt).toBeGreaterThanOrEqual(FAST.sessionTimeoutMs - 50);
    expect((await h.coordinator.describeGroup(GROUP)).members).toHaveLength(1);
  });

  it('leaves when not polled for maxPollIntervalMs, and reports its partitions lost when it polls again', async () => {
    const h = harness({ t: 4 });
    const m1 = new TestMember(h, 'm1', ['t'], { maxPollIntervalMs: 150 }).start();
    const m2 = new TestMember(h, 'm2', ['t']).start();
    await until('two members balanced', () => settled([m1, m2], 4));
    const before = m1.member.memberRef().memberId;
    const held = names(m1.member.assignment());
    await m1.stop();
    await until('m2 owns 4', () => m2.count() === 4);

    await m1.member.poll();
    expect(m1.events).toContain(`lost:${held}`);
    expect(m1.member.memberRef().memberId).not.toBe(before);
    m1.start();
    await until('two members balanced again', () => settled([m1, m2], 4));
  });

  it('fences commits after the member was dropped, and rejoins under a fresh id', async () => {
    const h = harness({ t: 2 });
    const rejoinNeeded: string[] = [];
    const m1 = new TestMember(h, 'm1', ['t'], { onRejoinNeeded: () => rejoinNeeded.push('m1') });
    await m1.member.poll();
    await m1.member.commit([{ topic: 't', partition: 0, offset: 10 }]);
    expect(await h.coordinator.fetchOffsets(GROUP)).toEqual([
      { topic: 't', partition: 0, offset: 10, metadata: '' },
    ]);

    const before = m1.member.memberRef();
    await h.coordinator.leaveGroup(GROUP, before.memberId); // as if its session had expired
    await expect(m1.member.commit([{ topic: 't', partition: 0, offset: 11 }])).rejects.toMatchObject({
      code: 'UNKNOWN_MEMBER_ID',
    });
    expect(m1.member.needsRejoin()).toBe(true);
    expect(rejoinNeeded).toEqual(['m1']);

    await m1.member.poll();
    expect(m1.events).toEqual(['assigned:t-0,t-1', 'lost:t-0,t-1', 'assigned:t-0,t-1']);
    expect(m1.member.memberRef().memberId).not.toBe(before.memberId);
    await m1.member.commit([{ topic: 't', partition: 0, offset: 11 }]);
    expect(await h.coordinator.fetchOffsets(GROUP, [{ topic: 't', partition: 0 }])).toMatchObject([
      { offset: 11 },
    ]);
  });

  it('fences a commit from the generation before a rebalance', async () => {
    const h = harness({ t: 2 });
    const m1 = new TestMember(h, 'm1', ['t']).start();
    await until('m1 owns 2', () => m1.count() === 2);
    const stale = m1.member.memberRef();
    const m2 = new TestMember(h, 'm2', ['t']).start();
    await until('two members balanced', () => settled([m1, m2], 2));
    await expect(
      h.coordinator.commitOffsets(stale, [{ topic: 't', partition: 0, offset: 1 }]),
    ).rejects.toMatchObject({
      code: 'ILLEGAL_GENERATION',
    });
    await m1.member.commit([{ topic: 't', partition: 0, offset: 1 }]);
  });

  it('learns from a heartbeat that it was dropped', async () => {
    const h = harness({ t: 2 });
    const m1 = new TestMember(h, 'm1', ['t']);
    await m1.member.poll();
    await h.coordinator.leaveGroup(GROUP, m1.member.memberRef().memberId);
    await until('a heartbeat noticed', () => m1.member.needsRejoin());
    await m1.member.poll();
    expect(m1.events).toEqual(['assigned:t-0,t-1', 'lost:t-0,t-1', 'assigned:t-0,t-1']);
  });

  it('rebalances when a subscribed topic gains partitions', async () => {
    const h = harness({ t: 2 });
    const m1 = new TestMember(h, 'm1', ['t', 'later']).start();
    await until('m1 owns 2', () => m1.count() === 2);
    h.counts.set('t', 3);
    await until('m1 owns 3', () => m1.count() === 3);
    h.counts.set('later', 1);
    await until('m1 owns 4', () => m1.count() === 4);
    expect(m1.events).toEqual(['assigned:t-0,t-1', 'assigned:t-2', 'assigned:later-0']);
  });

  it('follows a changed subscription, revoking dropped topics before it rejoins', async () => {
    const h = harness({ a: 1, b: 2 });
    const m1 = new TestMember(h, 'm1', ['a']);
    await m1.member.poll();
    m1.member.subscribe(['a', 'b']);
    expect(m1.member.needsRejoin()).toBe(true);
    await m1.member.poll();
    m1.member.subscribe(['b']);
    await m1.member.poll();
    expect(m1.events).toEqual(['assigned:a-0', 'assigned:b-0,b-1', 'revoked:a-0', 'assigned:']);
    m1.member.subscribe([]);
    await m1.member.poll();
    expect(m1.events[m1.events.length - 1]).toBe('revoked:b-0,b-1');
    expect(await h.coordinator.describeGroup(GROUP)).toMatchObject({ state: 'Dead', members: [] });
  });

  it('rethrows a listener error once the rebalance is done', async () => {
    const h = harness({ t: 2 });
    const m1 = new TestMember(h, 'm1', ['t']);
    m1.failNextAssign = true;
    await expect(m1.member.poll()).rejects.toThrow('listener failed');
    expect(m1.member.assignment()).toHaveLength(2);
    expect(m1.member.needsRejoin()).toBe(false);
    await m1.member.poll();
  });

  it('keeps a group with mixed assignors safe: range is chosen and nothing is held twice', async () => {
    const h = harness({ t: 6 });
    const m1 = new TestMember(h, 'm1', ['t'], {
      assignors: [new CooperativeStickyAssignor(), new RangeAssignor()],
    }).start();
    await until('m1 owns 6', () => m1.count() === 6);
    const m2 = new TestMember(h, 'm2', ['t'], {
      assignors: [new RangeAssignor()] as PartitionAssignor[],
    }).start();
    await until('two members balanced', () => settled([m1, m2], 6));
    expect((await h.coordinator.describeGroup(GROUP)).protocolName).toBe('range');
    expect(h.ownership.violations).toEqual([]);
  });

  it('close() revokes, leaves the group and stops its heartbeats', async () => {
    const h = harness({ t: 2 });
    const timers = trackingTimers();
    const m1 = new TestMember(h, 'm1', ['t'], { timers });
    await m1.member.poll();
    expect(timers.active).toBe(1);
    await m1.member.close();
    expect(timers.active).toBe(0);
    expect(m1.events).toEqual(['assigned:t-0,t-1', 'revoked:t-0,t-1']);
    expect((await h.coordinator.describeGroup(GROUP)).state).toBe('Dead');
    await expect(m1.member.poll()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('close() aborts a poll waiting for a rebalance', async () => {
    const h = harness({ t: 2 });
    const m1 = new TestMember(h, 'm1', ['t']).start();
    await until('m1 owns 2', () => m1.count() === 2);
    await m1.stop(); // m1 stops polling: m2's join will wait for it
    const m2 = new TestMember(h, 'm2', ['t']);
    const joining = m2.member.poll();
    await sleep(50);
    await m2.member.close();
    await expect(joining).rejects.toMatchObject({ code: 'ABORTED' });
  });

  describe('with the log offset store', () => {
    it('restarts where it committed: no lag and no records read twice', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-member-'));
      cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      const logger = pino({ level: 'silent' });

      let storage = new FileLogStorage({ dir, logger, cleanerIntervalMs: 0 });
      await storage.open();
      await storage.createTopic('orders', 2, parseTopicConfig());
      const encoder = new RecordBatchEncoder();
      for (let p = 0; p < 2; p++) {
        await storage.append('orders', p, encoder.encode([{ value: 'a' }, { value: 'b' }, { value: 'c' }]));
      }
      let coordinator = new InProcessGroupCoordinator({ offsetStore: new LogOffsetStore(storage) });
      let h: Harness = { coordinator, counts: new Map([['orders', 2]]), ownership: new Ownership() };
      const first = new TestMember(h, 'm1', ['orders']);
      await first.member.poll();
      // Consume everything, then commit the positions: the end offsets.
      const positions = await Promise.all(
        first.member
          .assignment()
          .map(async (tp) => ({ ...tp, offset: (await storage.offsets(tp.topic, tp.partition)).endOffset })),
      );
      await first.member.commit(positions);
      await first.member.close();
      await coordinator.close();
      await storage.close();

      storage = new FileLogStorage({ dir, logger, cleanerIntervalMs: 0 });
      await storage.open();
      cleanups.push(() => storage.close());
      coordinator = new InProcessGroupCoordinator({ offsetStore: new LogOffsetStore(storage) });
      h = harness({ orders: 2 }, coordinator);
      const lags: number[] = [];
      const second = new TestMember(h, 'm1-again', ['orders'], {
        listener: {
          onPartitionsRevoked: () => undefined,
          onPartitionsAssigned: async (tps) => {
            const committed = await coordinator.fetchOffsets(GROUP, tps);
            for (const tp of tps) {
              const { endOffset } = await storage.offsets(tp.topic, tp.partition);
              const offset = committed.find((c) => c.partition === tp.partition)?.offset ?? 0;
              lags.push(endOffset - offset);
            }
          },
        },
      });
      await second.member.poll();
      expect(lags).toEqual([0, 0]);
      expect(await coordinator.fetchOffsets(GROUP)).toEqual([
        { topic: 'orders', partition: 0, offset: 3, metadata: '' },
        { topic: 'orders', partition: 1, offset: 3, metadata: '' },
      ]);
    });
  });
});
