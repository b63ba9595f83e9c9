import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ConnectorOffset } from '@sluice/runtime';
import { type AdminTestApp, eventually, startAdminTestApp } from '../testing/admin-test-app.js';
import { CollectingSink } from '../testing/test-plugins.js';

let t: AdminTestApp;

beforeAll(async () => {
  t = await startAdminTestApp();
  await t.http
    .post('/connectors')
    .send({
      name: 'feed',
      config: {
        'connector.class': 'counting-source',
        topic: 'feed-out',
        count: '5',
        'offset.flush.interval.ms': '50',
      },
    })
    .expect(201);
  await t.http
    .post('/connectors')
    .send({
      name: 'drain',
      config: {
        'connector.class': 'collecting-sink',
        topics: 'feed-out',
        bucket: 'drain',
        'offset.flush.interval.ms': '50',
      },
    })
    .expect(201);
});

afterAll(async () => {
  await t.close();
});

async function offsets(name: string): Promise<ConnectorOffset[]> {
  return (
    (await t.http.get(`/connectors/${name}/offsets`).expect(200)).body as { offsets: ConnectorOffset[] }
  ).offsets;
}

const ALTERED =
  'The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be manually altered in the system that the connector uses.';
const RESET =
  'The Connect framework-managed offsets for this connector have been reset successfully. However, if this connector manages offsets externally, they will need to be manually reset in the system that the connector uses.';

describe('source connector offsets', () => {
  it('GET answers the committed source offsets', async () => {
    const committed = await eventually(
      () => offsets('feed'),
      (o) => JSON.stringify(o) === JSON.stringify([{ partition: { task: 0 }, offset: { next: 5 } }]),
    );
    expect(committed).toEqual([{ partition: { task: 0 }, offset: { next: 5 } }]);
    await t.http.get('/connectors/nope/offsets').expect(404);
  });

  it('PATCH and DELETE answer 400 while the connector is not stopped', async () => {
    const res = await t.http
      .patch('/connectors/feed/offsets')
      .send({ offsets: [{ partition: { task: 0 }, offset: { next: 2 } }] })
      .expect(400);
    expect(res.body.message).toMatch(/STOPPED/);
    await t.http.delete('/connectors/feed/offsets').expect(400);
  });

  it('PATCH answers 400 for an empty or malformed body', async () => {
    const empty = await t.http.patch('/connectors/feed/offsets').send({ offsets: [] }).expect(400);
    expect(empty.body).toEqual({
      error_code: 400,
      message: 'Partitions / offsets need to be provided for an alter offsets request',
    });
    await t.http.patch('/connectors/feed/offsets').send({}).expect(400);
    const malformed = await t.http
      .patch('/connectors/feed/offsets')
      .send({ offsets: [{ partition: 'x', offset: 3 }, 7] })
      .expect(400);
    expect(malformed.body.message).toMatch(/offsets\[0\]\.partition must be an object/);
    expect(malformed.body.message).toMatch(/offsets\[0\]\.offset must be an object or null/);
    expect(malformed.body.message).toMatch(/offsets\[1\] must be an object/);
  });

  it('alters and resets the offsets of a stopped connector, answering 200 with a message', async () => {
    await t.http.put('/connectors/feed/stop').expect(204);
    const altered = await t.http
      .patch('/connectors/feed/offsets')
      .send({ offsets: [{ partition: { task: 0 }, offset: { next: 2 } }] })
      .expect(200);
    expect(altered.body).toEqual({ message: ALTERED });
    expect(await offsets('feed')).toEqual([{ partition: { task: 0 }, offset: { next: 2 } }]);
    const reset = await t.http.delete('/connectors/feed/offsets').expect(200);
    expect(reset.body).toEqual({ message: RESET });
    expect(await offsets('feed')).toEqual([]);
    await t.http.delete('/connectors/nope/offsets').expect(404);
    await t.http
      .patch('/connectors/nope/offsets')
      .send({ offsets: [{ partition: { task: 0 }, offset: null }] })
      .expect(404);
  });
});

describe('sink connector offsets', () => {
  it('GET answers kafka_topic, kafka_partition and kafka_offset once the sink has committed', async () => {
    await eventually(
      () => CollectingSink.received.get('drain')?.length ?? 0,
      (n) => n === 5,
    );
    const committed = await eventually(
      () => offsets('drain'),
      (o) => o.length === 1 && o[0]?.offset?.['kafka_offset'] === 5,
    );
    expect(committed).toEqual([
      { partition: { kafka_topic: 'feed-out', kafka_partition: 0 }, offset: { kafka_offset: 5 } },
    ]);
  });

  it('alters and resets the group offsets of a stopped sink', async () => {
    await t.http.put('/connectors/drain/stop').expect(204);
    await t.http
      .patch('/connectors/drain/offsets')
      .send({
        offsets: [
          { partition: { kafka_topic: 'feed-out', kafka_partition: 0 }, offset: { kafka_offset: 1 } },
        ],
      })
      .expect(200);
    expect(await offsets('drain')).toEqual([
      { partition: { kafka_topic: 'feed-out', kafka_partition: 0 }, offset: { kafka_offset: 1 } },
    ]);
    const bad = await t.http
      .patch('/connectors/drain/offsets')
      .send({
        offsets: [
          { partition: { kafka_topic: 'feed-out', kafka_partition: 0 }, offset: { kafka_offset: -3 } },
        ],
      })
      .expect(400);
    expect(bad.body.message).toMatch(/kafka_offset/);
    await t.http.delete('/connectors/drain/offsets').expect(200);
    expect(await offsets('drain')).toEqual([]);
  });

  it("answers Kafka Connect's short message when the connector changed offsets of its own, and 400 when it refuses", async () => {
    await t.http
      .put('/connectors/keeper/config')
      .send({
        'connector.class': 'collecting-sink',
        topics: 'feed-out',
        bucket: 'keeper',
        'keeps.offsets': 'true',
      })
      .expect(201);
    await t.http.put('/connectors/keeper/stop').expect(204);
    const at = (offset: number) => ({
      offsets: [
        { partition: { kafka_topic: 'feed-out', kafka_partition: 0 }, offset: { kafka_offset: offset } },
      ],
    });
    const altered = await t.http.patch('/connectors/keeper/offsets').send(at(2)).expect(200);
    expect(altered.body).toEqual({
      message: 'The offsets for this connector have been altered successfully',
    });
    const refused = await t.http.patch('/connectors/keeper/offsets').send(at(13)).expect(400);
    expect(refused.body).toEqual({ error_code: 400, message: 'this sink cannot resume at offset 13' });
    expect(await offsets('keeper')).toEqual([
      { partition: { kafka_topic: 'feed-out', kafka_partition: 0 }, offset: { kafka_offset: 2 } },
    ]);
    const reset = await t.http.delete('/connectors/keeper/offsets').expect(200);
    expect(reset.body).toEqual({ message: 'The offsets for this connector have been reset successfully' });
  });
});
