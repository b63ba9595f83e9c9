/** Every record of partition 0 of a topic, read through the worker's REST API. */
export async function readTopic(
  base: string,
  topic: string,
): Promise<{ value: unknown; headers: unknown[] }[]> {
  const out: { value: unknown; headers: unknown[] }[] = [];
  let offset = 0;
  for (;;) {
    const res = await fetch(`${base}/topics/${topic}/records?partition=0&offset=${offset}&limit=1000`);
    if (res.status === 404) return out;
    if (!res.ok) throw new Error(`GET records answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as {
      next_offset: number;
      end_offset: number;
      records: { value: unknown; headers: unknown[] }[];
    };
    out.push(...page.records);
    if (page.records.length === 0 || page.next_offset >= page.end_offset) return out;
    offset = page.next_offset;
  }
}

/** Records in a topic (the sum of its partitions' end offsets); 0 while it does not exist. */
export async function topicSize(base: string, topic: string): Promise<number> {
  const res = await fetch(`${base}/topics/${topic}`);
  if (res.status === 404) return 0;
  if (!res.ok) throw new Error(`GET topic answered ${res.status}: ${await res.text()}`);
  const view = (await res.json()) as { partitions: { end_offset: number }[] };
  return view.partitions.reduce((n, p) => n + p.end_offset, 0);
}
