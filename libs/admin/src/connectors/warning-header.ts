import type { FastifyReply } from 'fastify';

/**
 * Warnings about a request that succeeded, as HTTP Warning headers (code 299, "miscellaneous
 * persistent warning", as the Kubernetes API sends them): the JSON bodies stay Kafka Connect's,
 * and clients that know the header (the sluice CLI, kubectl-style tools) show them.
 */
export function setWarnings(reply: FastifyReply, warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  void reply.header(
    'Warning',
    warnings.map((w) => `299 - ${quotedString(capped(w))}`),
  );
}

/** Clients refuse headers past some size (undici: 16 KiB in all); the worker's log has the rest. */
const MAX_WARNING_CHARS = 2000;

function capped(text: string): string {
  return text.length <= MAX_WARNING_CHARS
    ? text
    : `${text.slice(0, MAX_WARNING_CHARS)}... (the rest is in the worker's log)`;
}

/** An HTTP quoted-string of printable ASCII: quotes and backslashes escaped, anything else as "?". */
function quotedString(text: string): string {
  return `"${text.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
