import type { ProtectedResource, ReportModel } from '../../../core/report/model';

/** The report's row of the resource at `path`; a missing row fails naming the rows there are. */
export function rowAt(model: ReportModel, path: string): ProtectedResource {
  const found = model.resources.find((r) => r.path === path);
  if (!found) {
    throw new Error(`no row for ${path}; rows: ${model.resources.map((r) => r.path).join(', ')}`);
  }
  return found;
}
