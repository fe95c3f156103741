/**
 * A paged List… call read to its end: what the backend holds of one kind
 * before a deployment (DeployScope.before), one page after the other.
 */

/** `page(token)` fetches one page; `next` names the page after it (undefined on the last); `names` are the page's items. */
export async function everyName<P>(page: (token: string | undefined) => Promise<P>, next: (p: P) => string | undefined, names: (p: P) => Array<string | undefined> | undefined): Promise<Set<string>> {
  const out = new Set<string>();
  let token: string | undefined;
  do {
    const p = await page(token);
    for (const name of names(p) ?? []) if (name) out.add(name);
    token = next(p);
  } while (token);
  return out;
}
