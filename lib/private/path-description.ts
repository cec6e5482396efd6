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
 * else each path (by its last occurrence) keeps its end after '...', the characters cut shared
 * among the paths by their lengths and at least one character of each kept. Throws when even
 * that is too long.
 */
export function fitPathsDescription(description: string, paths: readonly string[], rules: DescriptionRules): string {
  let text = allowedOnly(description, rules);
  const excess = text.length - rules.maxLength;
  const total = paths.reduce((sum, path) => sum + path.length, 0);
  for (const path of paths) {
    const cut = Math.min(Math.ceil((excess * path.length) / total), path.length - ELLIPSIS.length - 1);
    if (cut > 0) {
      text = fitPathDescription(text, path, { ...rules, maxLength: text.length - cut });
    }
  }
  return fitPathDescription(text, undefined, rules);
}

function allowedOnly(text: string, rules: DescriptionRules): string {
  const allowed = rules.allowedCharacter;
  return allowed ? Array.from(text, (c) => (allowed.test(c) ? c : '_')).join('') : text;
}
