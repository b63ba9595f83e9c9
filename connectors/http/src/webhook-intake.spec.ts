import { describe, expect, it } from '@jest/globals';
import { WebhookAuthenticator } from './webhook-authenticator.js';
import { WebhookIntake } from './webhook-intake.js';

function intake(): WebhookIntake {
  return new WebhookIntake(
    {
      topic: 'hooks',
      maxBodyBytes: 1 << 20,
      maxPendingRecords: 100,
      retryAfterSeconds: 1,
      copiedHeaders: [],
      key: null,
      idempotencyHeader: '',
      idempotencyWindowMs: 0,
      idempotencyMaxKeys: 0,
    },
    new WebhookAuthenticator({
      secret: '',
      secretHeader: '',
      scheme: 'auto',
      signatureHeader: 'x-hub-signature-256',
      toleranceMs: 0,
    }),
  );
}

const post = (body: string) => ({
  method: 'POST',
  path: '',
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(body),
  remoteAddress: '127.0.0.1',
});

describe('WebhookIntake', () => {
  it('answers once every record of the request is durable', async () => {
    const i = intake();
    const answer = i.handle(post('[{"a":1},{"a":2}]'));
    const [first, second] = i.take();
    i.committed(first!, { topic: 'hooks', partition: 0, offset: 0 });
    let answered = false;
    void answer.then(() => (answered = true));
    await Promise.resolve();
    expect(answered).toBe(false);
    i.committed(second!, { topic: 'hooks', partition: 0, offset: 1 });
    expect(await answer).toEqual({ status: 200, body: { accepted: 2 } });
  });

  it('says how many items the runtime did not store (a filter, or errors.tolerance=all)', async () => {
    const i = intake();
    const answer = i.handle(post('[{"a":1},{"a":2},{"a":3}]'));
    const [a, b, c] = i.take();
    i.committed(a!, { topic: 'hooks', partition: 0, offset: 0 });
    i.committed(b!, null);
    i.committed(c!, { topic: 'hooks', partition: 0, offset: 1 });
    expect(await answer).toEqual({ status: 200, body: { accepted: 2, skipped: 1 } });
  });
});
