/** The runtime's internal topics (compacted): connector configs and target states, statuses, source offsets. */
export const INTERNAL_TOPICS = {
  configs: '__sluice.configs',
  status: '__sluice.status',
  offsets: '__sluice.offsets',
} as const;
