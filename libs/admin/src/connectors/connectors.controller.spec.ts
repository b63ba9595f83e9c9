import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ConnectorInfo, ConnectorStatus, TaskInfo } from '@sluice/runtime';
import { type AdminTestApp, eventually, startAdminTestApp } from '../testing/admin-test-app.js';

let t: AdminTestApp;

beforeAll(async () => {
  t = await startAdminTestApp();
});

afterAll(async () => {
  await t.close();
});

const sourceConfig = (topic: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'connector.class': 'counting-source',
  topic,
  count: '5',
  'api.key': 's3cr3t',
  ...extra,
});

async function status(name: string): Promise<ConnectorStatus> {
  return (await t.http.get(`/connectors/${name}/status`).expect(200)).body as ConnectorStatus;
}

async function eventuallyState(name: string, connector: string, tasks: string[]): Promise<ConnectorStatus> {
  return eventually(
    () => status(name),
    (s) =>
      s.connector.state === connector &&
      JSON.stringify(s.tasks.map((x) => x.state)) === JSON.stringify(tasks),
  );
}

describe('POST /connectors', () => {
  it('creates a connector: 201, Location and its info with secrets hidden', async () => {
    const res = await t.http
      .post('/connectors')
      .send({ name: 'created', config: sourceConfig('created-out') })
      .expect(201);
    expect(res.headers['location']).toBe('/connectors/created');
    expect(res.body).toEqual({
      name: 'created',
      config: { ...sourceConfig('created-out'), name: 'created', 'api.key': '[hidden]' },
      tasks: [{ connector: 'created', task: 0 }],
      type: 'source',
    });
    await eventuallyState('created', 'RUNNING', ['RUNNING']);
  });

  it('answers 409 when the connector exists', async () => {
    await t.http
      .post('/connectors')
      .send({ name: 'dup', config: sourceConfig('dup-out') })
      .expect(201);
    const res = await t.http
      .post('/connectors')
      .send({ name: 'dup', config: sourceConfig('dup-out') })
      .expect(409);
    expect(res.body).toEqual({ error_code: 409, message: 'Connector dup already exists' });
  });

  it('answers 400 listing every field error, and creates nothing', async () => {
    const res = await t.http
      .post('/connectors')
      .send({
        name: 'bad',
        config: { 'connector.class': 'counting-source', count: 'many', 'tasks.max': '0' },
      })
      .expect(400);
    expect(res.body.error_code).toBe(400);
    const message = res.body.message as string;
    expect(message).toMatch(/contains the following 3 error/);
    expect(message).toMatch(/topic/);
    expect(message).toMatch(/count/);
    expect(message).toMatch(/tasks\.max/);
    await t.http.get('/connectors/bad').expect(404);
  });

  it('answers 400 naming connector.class when the plugin is unknown', async () => {
    const res = await t.http
      .post('/connectors')
      .send({ name: 'unknown-class', config: { 'connector.class': 'no.such.Connector' } })
      .expect(400);
    expect(res.body.message).toMatch(/no\.such\.Connector/);
    expect(res.body.message).toMatch(/counting-source/);
  });

  it('answers 400 for a body without name or config, or with non-string values', async () => {
    const noName = await t.http
      .post('/connectors')
      .send({ config: sourceConfig('x') })
      .expect(400);
    expect(noName.body).toEqual({
      error_code: 400,
      message: expect.stringMatching(/name must be a non-empty string/),
    });
    const noConfig = await t.http.post('/connectors').send({ name: 'x' }).expect(400);
    expect(noConfig.body.message).toMatch(/config must be provided/);
    const nested = await t.http
      .post('/connectors')
      .send({ name: 'x', config: { ...sourceConfig('x'), nested: { a: 1 }, gone: null } })
      .expect(400);
    expect(nested.body.message).toMatch(/nested must be a string, not an object/);
    expect(nested.body.message).toMatch(/gone must be a string, not null/);
  });

  it('takes numbers and booleans as their text, as Kafka Connect does', async () => {
    const res = await t.http
      .post('/connectors')
      .send({
        name: 'numbers',
        config: { ...sourceConfig('numbers-out'), count: 3, 'errors.log.enable': true },
      })
      .expect(201);
    expect(res.body.config.count).toBe('3');
    expect(res.body.config['errors.log.enable']).toBe('true');
  });

  it('refuses a config whose name differs from the request name', async () => {
    const res = await t.http
      .post('/connectors')
      .send({ name: 'one', config: { ...sourceConfig('one-out'), name: 'other' } })
      .expect(400);
    expect(res.body.message).toBe(
      "Connector name configuration (other) doesn't match connector name in the URL (one)",
    );
  });

  it('honours initial_state PAUSED and STOPPED (KIP-980)', async () => {
    await t.http
      .post('/connectors')
      .send({ name: 'born-paused', config: sourceConfig('born-paused-out'), initial_state: 'PAUSED' })
      .expect(201);
    await eventuallyState('born-paused', 'PAUSED', ['PAUSED']);
    const stopped = await t.http
      .post('/connectors')
      .send({ name: 'born-stopped', config: sourceConfig('born-stopped-out'), initial_state: 'STOPPED' })
      .expect(201);
    expect(stopped.body.tasks).toEqual([]);
    await eventuallyState('born-stopped', 'STOPPED', []);
    const bad = await t.http
      .post('/connectors')
      .send({ name: 'born-bad', config: sourceConfig('x'), initial_state: 'SLEEPING' })
      .expect(400);
    expect(bad.body.message).toMatch(/initial_state must be one of RUNNING, PAUSED, STOPPED/);
  });
});

describe('GET /connectors', () => {
  beforeAll(async () => {
    await t.http
      .post('/connectors')
      .send({ name: 'listed', config: sourceConfig('listed-out') })
      .expect(201);
  });

  it('lists names, sorted', async () => {
    const res = await t.http.get('/connectors').expect(200);
    const names = res.body as string[];
    expect(names).toContain('listed');
    expect([...names].sort()).toEqual(names);
  });

  it('expands status, info, or both', async () => {
    const withStatus = await t.http.get('/connectors?expand=status').expect(200);
    expect(withStatus.body['listed']).toEqual({
      status: expect.objectContaining({ name: 'listed', type: 'source', connector: expect.any(Object) }),
    });
    const withInfo = await t.http.get('/connectors?expand=info').expect(200);
    expect(withInfo.body['listed']).toEqual({
      info: expect.objectContaining({
        name: 'listed',
        type: 'source',
        tasks: [{ connector: 'listed', task: 0 }],
      }),
    });
    expect(withInfo.body['listed'].info.config['api.key']).toBe('[hidden]');
    const both = await t.http.get('/connectors?expand=status&expand=info').expect(200);
    expect(Object.keys(both.body['listed']).sort()).toEqual(['info', 'status']);
  });
});

describe('/connectors/{name} and its config', () => {
  beforeAll(async () => {
    await t.http
      .post('/connectors')
      .send({ name: 'conf', config: sourceConfig('conf-out') })
      .expect(201);
  });

  it('GET answers the info, and 404 with the error body for an unknown connector', async () => {
    const res = await t.http.get('/connectors/conf').expect(200);
    expect((res.body as ConnectorInfo).config['api.key']).toBe('[hidden]');
    const missing = await t.http.get('/connectors/nope').expect(404);
    expect(missing.body).toEqual({ error_code: 404, message: 'Connector nope not found' });
  });

  it('GET config answers the map with secrets hidden', async () => {
    const res = await t.http.get('/connectors/conf/config').expect(200);
    expect(res.body).toEqual({ ...sourceConfig('conf-out'), name: 'conf', 'api.key': '[hidden]' });
    await t.http.get('/connectors/nope/config').expect(404);
  });

  it('PUT config answers 200 when it updates and 201 with Location when it creates', async () => {
    const updated = await t.http
      .put('/connectors/conf/config')
      .send(sourceConfig('conf-out', { count: '7' }))
      .expect(200);
    expect(updated.body.config.count).toBe('7');
    expect(updated.headers['location']).toBeUndefined();
    const created = await t.http
      .put('/connectors/put-created/config')
      .send(sourceConfig('put-out'))
      .expect(201);
    expect(created.headers['location']).toBe('/connectors/put-created');
    expect(created.body).toEqual(
      expect.objectContaining({
        name: 'put-created',
        type: 'source',
        tasks: [{ connector: 'put-created', task: 0 }],
      }),
    );
  });

  it('PUT config answers 400 with every error and leaves the connector as it was', async () => {
    const res = await t.http
      .put('/connectors/conf/config')
      .send({ 'connector.class': 'counting-source', count: '-1', 'tasks.max': 'x' })
      .expect(400);
    expect(res.body.message).toMatch(/count/);
    expect(res.body.message).toMatch(/tasks\.max/);
    expect(res.body.message).toMatch(/topic/);
    const config = await t.http.get('/connectors/conf/config').expect(200);
    expect(config.body.count).toBe('7');
  });

  it('PATCH config merges, null removes a key, and 404s for an unknown connector', async () => {
    const res = await t.http
      .patch('/connectors/conf/config')
      .send({ count: '9', 'errors.log.enable': 'true' })
      .expect(200);
    expect(res.body.config).toEqual(
      expect.objectContaining({
        count: '9',
        'errors.log.enable': 'true',
        topic: 'conf-out',
        'api.key': '[hidden]',
      }),
    );
    const removed = await t.http
      .patch('/connectors/conf/config')
      .send({ 'errors.log.enable': null })
      .expect(200);
    expect(removed.body.config['errors.log.enable']).toBeUndefined();
    await t.http.patch('/connectors/nope/config').send({ count: '1' }).expect(404);
    const bad = await t.http.patch('/connectors/conf/config').send({ count: 'lots' }).expect(400);
    expect(bad.body.message).toMatch(/count/);
  });

  it('answers settings nothing reads (typos) as Warning headers, Kafka Connect bodies unchanged', async () => {
    const created = await t.http
      .post('/connectors')
      .send({ name: 'typo', config: sourceConfig('typo-out', { cuont: '3', 'api.key': 'n0t-sh0wn' }) })
      .expect(201);
    expect(created.headers['warning']).toBe(
      '299 - "connector typo: settings that neither counting-source nor the runtime reads, so they change nothing: cuont (did you mean count?)"',
    );
    expect(Object.keys(created.body)).toEqual(['name', 'config', 'tasks', 'type']);
    const patched = await t.http.patch('/connectors/typo/config').send({ 'tasks.mx': '1' }).expect(200);
    expect(patched.headers['warning']).toMatch(
      /cuont \(did you mean count\?\), tasks\.mx \(did you mean tasks\.max\?\)"$/,
    );
    const fixed = await t.http.put('/connectors/typo/config').send(sourceConfig('typo-out')).expect(200);
    expect(fixed.headers['warning']).toBeUndefined();
    // a config of another connector pasted in: the header stays small enough for any client
    const pasted = Object.fromEntries(
      Array.from({ length: 500 }, (_, i) => [`some.other.connector.setting.${i}`, 'x']),
    );
    const long = await t.http.put('/connectors/typo/config').send({ ...sourceConfig('typo-out'), ...pasted });
    expect(long.status).toBe(200);
    expect(long.headers['warning']!.length).toBeLessThan(2_100);
    expect(long.headers['warning']).toMatch(/\.\.\. \(the rest is in the worker's log\)"$/);
  });

  it('DELETE answers 204, then the connector is gone (404)', async () => {
    await t.http
      .post('/connectors')
      .send({ name: 'doomed', config: sourceConfig('doomed-out') })
      .expect(201);
    const res = await t.http.delete('/connectors/doomed').expect(204);
    expect(res.text).toBe('');
    await t.http.get('/connectors/doomed').expect(404);
    const again = await t.http.delete('/connectors/doomed').expect(404);
    expect(again.body).toEqual({ error_code: 404, message: 'Connector doomed not found' });
  });
});

describe('lifecycle', () => {
  beforeAll(async () => {
    await t.http
      .post('/connectors')
      .send({ name: 'life', config: sourceConfig('life-out') })
      .expect(201);
    await eventuallyState('life', 'RUNNING', ['RUNNING']);
  });

  it('GET status answers Kafka Connect shape', async () => {
    const s = await status('life');
    expect(s).toEqual({
      name: 'life',
      connector: { state: 'RUNNING', worker_id: 'admin-test:8083' },
      tasks: [{ id: 0, state: 'RUNNING', worker_id: 'admin-test:8083' }],
      type: 'source',
    });
    await t.http.get('/connectors/nope/status').expect(404);
  });

  it('pause and resume answer 202', async () => {
    const paused = await t.http.put('/connectors/life/pause').expect(202);
    expect(paused.text).toBe('');
    await eventuallyState('life', 'PAUSED', ['PAUSED']);
    await t.http.put('/connectors/life/resume').expect(202);
    await eventuallyState('life', 'RUNNING', ['RUNNING']);
    await t.http.put('/connectors/nope/pause').expect(404);
    await t.http.put('/connectors/nope/resume').expect(404);
  });

  it('pause accepts an empty body sent as application/json (as Kafka Connect tooling does)', async () => {
    await t.http.put('/connectors/life/pause').set('Content-Type', 'application/json').expect(202);
    await eventuallyState('life', 'PAUSED', ['PAUSED']);
    await t.http.put('/connectors/life/resume').set('Content-Type', 'application/json').send('').expect(202);
    await eventuallyState('life', 'RUNNING', ['RUNNING']);
  });

  it('stop answers 204 and leaves no tasks; resume starts it again', async () => {
    await t.http.put('/connectors/life/stop').expect(204);
    await eventuallyState('life', 'STOPPED', []);
    const info = await t.http.get('/connectors/life').expect(200);
    expect(info.body.tasks).toEqual([]);
    await t.http.put('/connectors/life/resume').expect(202);
    await eventuallyState('life', 'RUNNING', ['RUNNING']);
    await t.http.put('/connectors/nope/stop').expect(404);
  });

  it('restart without includeTasks/onlyFailed answers 204 with no body', async () => {
    const res = await t.http.post('/connectors/life/restart').expect(204);
    expect(res.text).toBe('');
    await t.http.post('/connectors/life/restart?includeTasks=false&onlyFailed=false').expect(204);
    await eventuallyState('life', 'RUNNING', ['RUNNING']);
    await t.http.post('/connectors/nope/restart').expect(404);
  });

  it('restart with includeTasks answers 202 with the planned states', async () => {
    const res = await t.http.post('/connectors/life/restart?includeTasks=true').expect(202);
    expect(res.body).toEqual({
      name: 'life',
      connector: { state: 'RESTARTING', worker_id: 'admin-test:8083' },
      tasks: [{ id: 0, state: 'RESTARTING', worker_id: 'admin-test:8083' }],
      type: 'source',
    });
    await eventuallyState('life', 'RUNNING', ['RUNNING']);
  });

  it('restart with onlyFailed restarts nothing that is running', async () => {
    // a connector of its own: a restart answered 202 above may still be under way on "life"
    await t.http
      .post('/connectors')
      .send({ name: 'calm', config: sourceConfig('calm-out') })
      .expect(201);
    await eventuallyState('calm', 'RUNNING', ['RUNNING']);
    const res = await t.http.post('/connectors/calm/restart?includeTasks=true&onlyFailed=true').expect(202);
    expect(res.body.connector.state).toBe('RUNNING');
    expect(res.body.tasks).toEqual([{ id: 0, state: 'RUNNING', worker_id: 'admin-test:8083' }]);
    await t.http.post('/connectors/nope/restart?includeTasks=true').expect(404);
  });
});

describe('/connectors/{name}/tasks', () => {
  beforeAll(async () => {
    await t.http
      .post('/connectors')
      .send({ name: 'tasky', config: sourceConfig('tasky-out', { 'tasks.max': '2' }) })
      .expect(201);
    await eventuallyState('tasky', 'RUNNING', ['RUNNING', 'RUNNING']);
  });

  it('GET lists task ids and configs, secrets hidden', async () => {
    const res = await t.http.get('/connectors/tasky/tasks').expect(200);
    const tasks = res.body as TaskInfo[];
    expect(tasks.map((x) => x.id)).toEqual([
      { connector: 'tasky', task: 0 },
      { connector: 'tasky', task: 1 },
    ]);
    for (const task of tasks) {
      expect(task.config['topic']).toBe('tasky-out');
      expect(task.config['api.key']).toBe('[hidden]');
    }
    await t.http.get('/connectors/nope/tasks').expect(404);
  });

  it('GET a task status; 404 for an unknown task or connector', async () => {
    const res = await t.http.get('/connectors/tasky/tasks/1/status').expect(200);
    expect(res.body).toEqual({ id: 1, state: 'RUNNING', worker_id: 'admin-test:8083' });
    const missing = await t.http.get('/connectors/tasky/tasks/7/status').expect(404);
    expect(missing.body).toEqual({ error_code: 404, message: 'Task tasky-7 not found' });
    await t.http.get('/connectors/tasky/tasks/abc/status').expect(404);
    await t.http.get('/connectors/nope/tasks/0/status').expect(404);
  });

  it('POST a task restart answers 204', async () => {
    const res = await t.http.post('/connectors/tasky/tasks/0/restart').expect(204);
    expect(res.text).toBe('');
    await eventuallyState('tasky', 'RUNNING', ['RUNNING', 'RUNNING']);
    await t.http.post('/connectors/tasky/tasks/5/restart').expect(404);
    await t.http.post('/connectors/nope/tasks/0/restart').expect(404);
  });
});

describe('/connectors/{name}/topics', () => {
  it('GET answers the used topics under the connector name; reset answers 202 and empties them', async () => {
    await t.http
      .post('/connectors')
      .send({ name: 'topical', config: sourceConfig('topical-out') })
      .expect(201);
    const used = await eventually(
      async () =>
        (await t.http.get('/connectors/topical/topics').expect(200)).body as Record<
          string,
          { topics: string[] }
        >,
      (b) => (b['topical']?.topics.length ?? 0) > 0,
    );
    expect(used).toEqual({ topical: { topics: ['topical-out'] } });
    await t.http.put('/connectors/topical/stop').expect(204);
    await t.http.put('/connectors/topical/topics/reset').expect(202);
    const reset = await t.http.get('/connectors/topical/topics').expect(200);
    expect(reset.body).toEqual({ topical: { topics: [] } });
    await t.http.get('/connectors/nope/topics').expect(404);
    await t.http.put('/connectors/nope/topics/reset').expect(404);
  });
});

describe('POST /connectors/{name}/signals', () => {
  it('hands a signal to the running tasks (202 with its id), and answers 400, 404 and 409 with reasons', async () => {
    await t.http
      .post('/connectors')
      .send({ name: 'signalled', config: sourceConfig('signalled-out') })
      .expect(201);
    await eventuallyState('signalled', 'RUNNING', ['RUNNING']);
    const ok = await t.http
      .post('/connectors/signalled/signals')
      .send({ type: 'rewind', data: {}, id: 'r-1' })
      .expect(202);
    expect(ok.body).toEqual({ id: 'r-1', tasks: [0] });
    const generated = await t.http.post('/connectors/signalled/signals').send({ type: 'rewind' }).expect(202);
    expect(generated.body.id).toMatch(/^[0-9a-f-]{36}$/);

    const refused = await t.http.post('/connectors/signalled/signals').send({ type: 'explode' }).expect(400);
    expect(refused.body).toEqual({ error_code: 400, message: expect.stringContaining('rewind') });
    const malformed = await t.http.post('/connectors/signalled/signals').send({ data: [] }).expect(400);
    expect(malformed.body.message).toMatch(/type must be a non-empty string; data must be a JSON object/);
    await t.http.post('/connectors/missing/signals').send({ type: 'rewind' }).expect(404);

    await t.http.put('/connectors/signalled/stop').expect(204);
    const stopped = await t.http.post('/connectors/signalled/signals').send({ type: 'rewind' }).expect(409);
    expect(stopped.body.message).toMatch(/no running task that takes signals/);
  });
});
