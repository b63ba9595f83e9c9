/**
 * The targets of an RFC 8288 Link header by relation:
 *   <https://api.example.com/items?page=2>; rel="next", <...?page=9>; rel="last"
 * A link with several relations (rel="next last") is listed under each; the first link of a
 * relation wins.
 */
export function parseLinkHeader(value: string | undefined): Map<string, string> {
  const links = new Map<string, string>();
  if (!value) return links;
  const pattern = /<([^>]*)>((?:\s*;\s*[^;,"=]+(?:=(?:"[^"]*"|[^;,]*))?)*)/g;
  for (const match of value.matchAll(pattern)) {
    const target = match[1]!;
    for (const param of match[2]!.split(';')) {
      const eq = param.indexOf('=');
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'rel') continue;
      const rels = param
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, '');
      for (const rel of rels.split(/\s+/)) {
        const name = rel.toLowerCase();
        if (name !== '' && !links.has(name)) links.set(name, target);
      }
    }
  }
  return links;
}
