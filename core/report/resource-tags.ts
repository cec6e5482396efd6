/** The tags a template gives a resource. */
import type { Json, TemplateResource } from './assembly';

export function tagsOf(resource: TemplateResource): { [key: string]: string } {
  const props = resource.Properties ?? {};
  const list = props.Tags ?? props.FileSystemTags ?? [];
  const tags: { [key: string]: string } = {};
  if (Array.isArray(list)) {
    for (const tag of list) {
      if (tag && typeof tag.Key === 'string' && typeof tag.Value === 'string') {
        tags[tag.Key] = tag.Value;
      }
    }
  } else if (list && typeof list === 'object') {
    Object.assign(tags, list);
  }
  return tags;
}

/** The tags a backup selection or DLM policy reads: a value that is not a string (a token) is kept, as not known. */
export function selectionTagsOf(resource: TemplateResource): { [key: string]: unknown } {
  const props = resource.Properties ?? {};
  const list = props.Tags ?? props.FileSystemTags ?? [];
  if (!Array.isArray(list)) {
    return list && typeof list === 'object' ? { ...list } : {};
  }
  return Object.fromEntries(list.filter((tag: Json) => tag && typeof tag.Key === 'string' && tag.Value !== undefined).map((tag: Json) => [tag.Key, tag.Value]));
}
