/**
 * Where and why `text` is not JSON, as "line L, column C: <the parser's reason>", or null when it
 * parses. For request bodies Fastify refused without saying where.
 */
export function jsonSyntaxProblem(text: string): string | null {
  try {
    JSON.parse(text);
    return null;
  } catch (err) {
    const reason = (err as Error).message;
    // V8 names the position ("... in JSON at position 12"), or the input ended early
    const match = /at position (\d+)/.exec(reason);
    const position = match ? Number(match[1]) : text.length;
    const before = text.slice(0, position);
    const line = before.split('\n').length;
    const column = position - before.lastIndexOf('\n');
    return `line ${line}, column ${column}: ${reason.replace(/ \(line \d+ column \d+\)$/, '')}`;
  }
}
