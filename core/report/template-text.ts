/** A CloudFormation value as text: what Fn::Join and Fn::Sub spell out, with the rest (literals, references, other functions) read as the caller says. */
import { subVariables } from './template-references';

/** How `templateText` reads the parts Fn::Join and Fn::Sub do not spell out. */
export interface TemplateLeaves {
  /** A value that is neither Fn::Join nor Fn::Sub: a literal, a list, a `Ref`, another function. */
  readonly part: (value: unknown) => string;
  /** A `${Name}` or `${Resource.Attribute}` of a Fn::Sub that its variable map does not define. */
  readonly subName: (name: string) => string;
}

/**
 * A value as text: a Fn::Join is its parts joined by its separator; a Fn::Sub is its template with
 * `${!Name}` as the literal text `${Name}` and `${Var}` of its variable map as that value; each of
 * those parts and values is read the same way, at any depth. Anything else reads as `leaves` says.
 */
export function templateText(value: unknown, leaves: TemplateLeaves): string {
  const o = value !== null && typeof value === 'object' ? value as { [key: string]: unknown } : {};
  const join = o['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return join[1].map((part) => templateText(part, leaves)).join(join[0]);
  }
  const sub = o['Fn::Sub'];
  const [template, variables] = Array.isArray(sub) ? [sub[0], subVariables(sub[1])] : [sub, {}];
  if (typeof template === 'string') {
    return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => name.startsWith('!') ? `\${${name.slice(1)}}`
      : Object.hasOwn(variables, name) ? templateText(variables[name], leaves) : leaves.subName(name));
  }
  return leaves.part(value);
}

/** What a `${Name}` of Fn::Sub stands for: `${Resource.Attribute}` is that Fn::GetAtt, any other name a `Ref`. */
export function subReference(name: string): { [key: string]: unknown } {
  const dot = name.indexOf('.');
  return dot < 0 ? { Ref: name } : { 'Fn::GetAtt': [name.slice(0, dot), name.slice(dot + 1)] };
}
