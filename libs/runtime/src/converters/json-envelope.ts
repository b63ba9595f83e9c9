const ENVELOPE_HEAD = '{"schema":';
const PAYLOAD_KEY = ',"payload":';

/** The text of a compact envelope up to its payload, for a schema's text. */
export function envelopeHead(schemaText: string): string {
  return `${ENVELOPE_HEAD}${schemaText}${PAYLOAD_KEY}`;
}

/**
 * The schema and payload texts of a compact envelope `{"schema":S,"payload":P}`, the exact shape
 * Kafka's JsonConverter and Sluice write; null for any other text (spaces, other key order), which
 * callers then parse whole. Lets a reader cache schemas by their text and parse only the payload:
 * if S and P are each valid JSON, so is the whole, so nothing invalid slips through.
 */
export function splitEnvelope(
  text: string,
  knownSchema: string | null = null,
): { schema: string; payload: string } | null {
  if (!text.startsWith(ENVELOPE_HEAD) || !text.endsWith('}')) return null;
  const start = ENVELOPE_HEAD.length;
  // `knownSchema`, a schema text seen before (so one whole JSON value), usually comes again: a
  // native comparison finds where it ends, instead of scanning kilobytes of it character by character
  const end =
    knownSchema !== null && text.startsWith(knownSchema, start)
      ? start + knownSchema.length
      : endOfContainer(text, start);
  if (end < 0 || !text.startsWith(PAYLOAD_KEY, end)) return null;
  return { schema: text.slice(start, end), payload: text.slice(end + PAYLOAD_KEY.length, -1) };
}

/** Where the object, array or null starting at `start` ends (exclusive); -1 when it is none of those. */
function endOfContainer(text: string, start: number): number {
  if (text.startsWith('null', start)) return start + 4;
  const first = text.charCodeAt(start);
  if (first !== 0x7b && first !== 0x5b) return -1;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string, escapes included.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
