import { describe, expect, it } from '@jest/globals';
import { temporarySlotName } from './replication-slot.js';

describe('temporarySlotName', () => {
  it("fits PostgreSQL's 63-character limit however long slot.name is", () => {
    expect(temporarySlotName('sluice', 4242)).toBe('sluice_snap_4242');
    const long = temporarySlotName('s'.repeat(63), 4_194_304);
    expect(long).toHaveLength(63);
    expect(long.endsWith('_snap_4194304')).toBe(true);
  });
});
