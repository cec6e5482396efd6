/** A service's rules for a description: its length, and the characters it takes when it restricts them. */
export interface DescriptionRules {
  /** What the description is, for errors: 'the function description'. */
  readonly what: string;
  /** The service whose limit it is: 'Lambda'. */
  readonly service: string;
  readonly maxLength: number;
  /** One character the service takes; the others become '_'. @default - any character */
  readonly allowedCharacter?: RegExp;
}

const ELLIPSIS = '...';

/**
 * `description`, which names the construct path `path`, within `rules`. A description that
 * fits is returned unchanged, so a resource that cannot be updated in place keeps its
 * description. Characters the service refuses become '_'; when the description is too long,
 * the path (its last occurrence) keeps its end, the most specific part, after '...', and the
 * rest of the text stays whole. Throws when even the shortest path would not make it fit.
 */
export function fitPathDescription(description: string, path: string | undefined, rules: DescriptionRules): string {
  const text = allowedOnly(description, rules);
  if (text.length <= rules.maxLength) {
    return text;
  }
  const shownPath = path === undefined ? undefined : allowedOnly(path, rules);
  const at = shownPath ? text.lastIndexOf(shownPath) : -1;
  if (!shownPath || at < 0) {
    throw new Error(`${rules.what} is ${text.length} characters, ${rules.service} allows ${rules.maxLength}: '${text}'`);
  }
  const before = text.slice(0, at);
  const after = text.slice(at + shownPath.length);
  const room = rules.maxLength - before.length - after.length - ELLIPSIS.length;
  if (room < 1) {
    throw new Error(`${rules.what} without its path is too long for ${rules.service}'s ${rules.maxLength} characters: '${before}${after}'`);
  }
  return `${before}${ELLIPSIS}${shownPath.slice(-room)}${after}`;
}

/**
 * `description`, which names several construct paths, within `rules`: unchanged when it fits;
 * else each path (by its last occurrence that is not part of a longer path's) keeps its end
 * after '...', the characters cut shared among the paths by their lengths in the description and
 * at least one character of each kept. Throws when even that is too long.
 */
export function fitPathsDescription(description: string, paths: readonly string[], rules: DescriptionRules): string {
  const text = allowedOnly(description, rules);
  if (text.length <= rules.maxLength) {
    return text;
  }
  // Longest first: a construct's path is a prefix of its children's, and must not be taken from inside one.
  const places: Array<{ readonly at: number; readonly shown: string }> = [];
  for (const shown of paths.map((path) => allowedOnly(path, rules)).filter((shown) => shown.length > 0).sort((a, b) => b.length - a.length)) {
    const overlaps = (at: number) => places.some((place) => at < place.at + place.shown.length && place.at < at + shown.length);
    let at = text.lastIndexOf(shown);
    while (at >= 0 && overlaps(at)) {
      at = at === 0 ? -1 : text.lastIndexOf(shown, at - 1);
    }
    if (at >= 0) {
      places.push({ at, shown });
    } else if (!places.some((place) => place.shown === shown)) {
      throw new Error(`${rules.what} is ${text.length} characters, ${rules.service} allows ${rules.maxLength}, and does not name the path '${shown}': '${text}'`);
    }
  }
  const excess = text.length - rules.maxLength;
  const total = places.reduce((sum, place) => sum + place.shown.length, 0);
  let fitted = '';
  let from = 0;
  for (const { at, shown } of [...places].sort((a, b) => a.at - b.at)) {
    const cut = Math.min(Math.ceil((excess * shown.length) / total), shown.length - ELLIPSIS.length - 1);
    fitted += text.slice(from, at) + (cut > 0 ? `${ELLIPSIS}${shown.slice(-(shown.length - cut - ELLIPSIS.length))}` : shown);
    from = at + shown.length;
  }
  return fitPathDescription(fitted + text.slice(from), undefined, rules);
}

function allowedOnly(text: string, rules: DescriptionRules): string {
  const allowed = rules.allowedCharacter;
  return allowed ? Array.from(text, (c) => (allowed.test(c) ? c : '_')).join('') : text;
}
