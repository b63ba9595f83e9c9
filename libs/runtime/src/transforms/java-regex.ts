/*
 * Kafka's routers and predicates take java.util.regex patterns and Matcher replacement strings. JS
 * regexes read the common Java syntax the same way; what differs is handled here: a leading inline
 * flag group such as (?i), whole-string matching (Matcher.matches()), and the replacement syntax
 * ($1, ${name}, backslash escapes).
 */

/** Compiles a pattern that must match a whole string, as Matcher.matches(). Throws on bad syntax. */
export function compileFullMatch(pattern: string): RegExp {
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline) {
    if (inline[1]!.includes('x')) throw new Error('the (?x) comments flag is not supported');
    flags = inline[1]!.replace(/x/g, '');
    source = source.slice(inline[0].length);
  }
  return new RegExp(`^(?:${source})$`, flags);
}

/** How many capture groups a regex has, and their names. */
export function groupsOf(regex: RegExp): { count: number; names: Set<string> } {
  const probe = new RegExp(`${regex.source}|`, regex.flags).exec('')!;
  return { count: probe.length - 1, names: new Set(Object.keys(probe.groups ?? {})) };
}

type Part = { kind: 'text'; text: string } | { kind: 'group'; ref: number | string };

/** A Matcher replacement string, checked once against the groups of its regex. */
export class JavaReplacement {
  private readonly parts: Part[] = [];

  /** Throws an Error naming the bad group reference or dangling escape. */
  constructor(replacement: string, regex: RegExp) {
    const { count, names } = groupsOf(regex);
    let text = '';
    let i = 0;
    const flush = () => {
      if (text) this.parts.push({ kind: 'text', text });
      text = '';
    };
    while (i < replacement.length) {
      const c = replacement[i]!;
      if (c === '\\') {
        if (i + 1 >= replacement.length) throw new Error('character to be escaped is missing');
        text += replacement[i + 1];
        i += 2;
      } else if (c === '$') {
        if (replacement[i + 1] === '{') {
          const close = replacement.indexOf('}', i + 2);
          const name = close < 0 ? '' : replacement.slice(i + 2, close);
          if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error(`illegal group name reference at ${i}`);
          if (!names.has(name)) throw new Error(`no group with name {${name}}`);
          flush();
          this.parts.push({ kind: 'group', ref: name });
          i = close + 1;
        } else {
          let j = i + 1;
          if (!/[0-9]/.test(replacement[j] ?? '')) throw new Error(`illegal group reference at ${i}`);
          // As Java: take more digits only while the number still names an existing group.
          let ref = Number(replacement[j]);
          j++;
          while (j < replacement.length && /[0-9]/.test(replacement[j]!)) {
            const next = ref * 10 + Number(replacement[j]);
            if (next > count) break;
            ref = next;
            j++;
          }
          if (ref > count) throw new Error(`no group ${ref}: the regex has ${count} group(s)`);
          flush();
          this.parts.push({ kind: 'group', ref });
          i = j;
        }
      } else {
        text += c;
        i++;
      }
    }
    flush();
  }

  expand(match: RegExpExecArray): string {
    let out = '';
    for (const part of this.parts) {
      if (part.kind === 'text') out += part.text;
      else out += (typeof part.ref === 'number' ? match[part.ref] : match.groups?.[part.ref]) ?? '';
    }
    return out;
  }
}
