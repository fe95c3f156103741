/**
 * StringMatches: `*` matches any run of characters; `\*` is a literal star
 * and `\\` a literal backslash (in JSON: "\\*" and "\\\\").
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
 */
const cache = new Map<string, RegExp>();

export function stringMatches(value: string, pattern: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    let src = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
        src += '\\' + pattern[++i];
      } else if (c === '*') {
        src += '[\\s\\S]*';
      } else {
        src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      }
    }
    re = new RegExp(`^${src}$`);
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, re);
  }
  return re.test(value);
}
