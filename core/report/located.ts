/** A resource of the assembly with its stack and construct path, and the library's metadata on it. */
import type { Json, StackArtifact, TemplateResource } from './assembly';

export const METADATA_KEY = 'cdk-backup-dr';

export interface Located {
  readonly stack: StackArtifact;
  readonly logicalId: string;
  readonly resource: TemplateResource;
  readonly path: string;
}

export function meta(r: Located): Json {
  const value = r.resource.Metadata?.[METADATA_KEY];
  return value && typeof value === 'object' ? value : undefined;
}
