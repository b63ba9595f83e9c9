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
    warnings.map((w) => `299 - ${quotedString(w)}`),
  );
}

/** An HTTP quoted-string of printable ASCII: quotes and backslashes escaped, anything else as "?". */
function quotedString(text: string): string {
  return `"${text.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
