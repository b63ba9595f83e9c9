import type { TopicConfig, TopicDescription } from '@sluice/log';

/** A topic as GET /topics/{name} shows it, in the API's snake_case. */
export interface TopicView {
  name: string;
  /** Kafka's topic ID: differs between a topic and one created again under its name. */
  topic_id: string;
  internal: boolean;
  config: TopicConfig;
  partitions: {
    partition: number;
    start_offset: number;
    end_offset: number;
    size_bytes: number;
    segments: number;
  }[];
}

export function topicViewOf(d: TopicDescription): TopicView {
  return {
    name: d.name,
    topic_id: d.topicId,
    internal: d.internal,
    config: d.config,
    partitions: d.partitions.map((p) => ({
      partition: p.partition,
      start_offset: p.startOffset,
      end_offset: p.endOffset,
      size_bytes: p.sizeBytes,
      segments: p.segments,
    })),
  };
}
