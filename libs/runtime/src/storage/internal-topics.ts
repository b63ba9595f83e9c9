/** The runtime's internal topics (compacted): connector configs and target states, statuses, source offsets. */
export const INTERNAL_TOPICS = {
  configs: '__sluice.configs',
  status: '__sluice.status',
  offsets: '__sluice.offsets',
} as const;

/**
 * A topic of the runtime's own (__sluice.*): connectors may neither read nor write it. Other
 * topics starting with "__" (Debezium's __debezium-heartbeat.*) are connectors' own.
 */
export function isRuntimeTopic(name: string): boolean {
  return name.startsWith('__sluice.');
}

/** Why a connector may not use `topic`, one of the runtime's own. */
export function runtimeTopicProblem(topic: string): string {
  return `${topic} is internal to Sluice (it holds connector configs, secrets included, and the runtime's state): connectors may not read or write it`;
}
