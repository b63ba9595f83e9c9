/*
 * Field paths as KIP-821 defines them for `field.syntax.version`:
 *   V1: the whole text is one top-level field name (dots included).
 *   V2: dots separate nested fields; a name containing dots is wrapped in backticks
 *       (`a.b`.c is field "c" inside field "a.b"); a backtick inside a wrapped name is escaped
 *       with a backslash when it would otherwise close the name.
 */

export type FieldSyntaxVersion = 'V1' | 'V2';
export const FIELD_SYNTAX_VERSIONS: readonly FieldSyntaxVersion[] = ['V1', 'V2'];

/** The steps of a path; throws an Error when a backtick pair is left open. */
export function parseFieldPath(text: string, version: FieldSyntaxVersion): string[] {
  return version === 'V1' ? [text] : parseV2(text);
}

function parseV2(path: string): string[] {
  const steps: string[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] !== '`') {
      const dot = path.indexOf('.', i);
      steps.push(dot < 0 ? path.slice(i) : path.slice(i, dot));
      i = dot < 0 ? path.length : dot + 1;
      continue;
    }
    const open = i;
    const incomplete = () =>
      new Error(
        `Incomplete backtick pair in path [${path}]: add a backslash before the backtick at ${open} to escape it`,
      );
    let name = '';
    let start = i + 1;
    let from = start;
    for (;;) {
      const tick = path.indexOf('`', from);
      if (tick < 0) throw incomplete();
      const escaped = path[tick - 1] === '\\' && tick - 1 > open;
      if (tick === path.length - 1) {
        if (escaped) throw incomplete();
        steps.push(name + path.slice(start, tick));
        i = path.length;
        break;
      }
      // Only a backtick right before a dot can close the name; others belong to it.
      if (path[tick + 1] !== '.') {
        from = tick + 1;
        continue;
      }
      if (escaped) {
        name += path.slice(start, tick - 1) + '`';
        start = tick + 1;
        from = start;
        continue;
      }
      steps.push(name + path.slice(start, tick));
      i = tick + 2;
      break;
    }
  }
  if (path.endsWith('.')) steps.push('');
  return steps;
}
