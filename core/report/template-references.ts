/** What a CloudFormation value refers to: logical ids (`Ref`, `Fn::GetAtt`, `Fn::Sub`), imported export names. */

/** The logical ids a value refers to with `Ref` or `Fn::GetAtt`. */
export function referencedIds(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => referencedIds(v, out));
  } else if (value && typeof value === 'object') {
    const o = value as { [key: string]: unknown };
    if (typeof o.Ref === 'string') {
      out.add(o.Ref);
    }
    const getAtt = o['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
      out.add(getAtt[0]);
    } else if (typeof getAtt === 'string') {
      out.add(getAtt.split('.')[0]);
    }
    const sub = o['Fn::Sub'];
    const subText = Array.isArray(sub) ? sub[0] : sub;
    // A variable of the map is not a logical id: what its value refers to is found below, with the map's values.
    const variables = Array.isArray(sub) ? subVariables(sub[1]) : {};
    if (typeof subText === 'string') {
      for (const m of subText.matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z]+)?\}/g)) {
        if (!Object.hasOwn(variables, m[0].slice(2, -1))) {
          out.add(m[1]);
        }
      }
    }
    Object.values(o).forEach((v) => referencedIds(v, out));
  }
  return out;
}

/** The variable map of a two-element `Fn::Sub` (`[template, { Var: value }]`); empty where there is none. */
export function subVariables(map: unknown): { [name: string]: unknown } {
  return map !== null && typeof map === 'object' && !Array.isArray(map) ? map as { [name: string]: unknown } : {};
}

/** The export names a value reads with `Fn::ImportValue` (CDK's cross-stack references in one environment). */
export function importedNames(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    value.forEach((v) => importedNames(v, out));
  } else if (value && typeof value === 'object') {
    const o = value as { [key: string]: unknown };
    if (typeof o['Fn::ImportValue'] === 'string') {
      out.push(o['Fn::ImportValue']);
    }
    Object.values(o).forEach((v) => importedNames(v, out));
  }
  return out;
}

/** The `Fn::GetAtt` pairs (logical id, attribute) in a value. */
export function getAttsOf(value: unknown, out: Array<[string, string]> = []): Array<[string, string]> {
  if (Array.isArray(value)) {
    value.forEach((v) => getAttsOf(v, out));
  } else if (value && typeof value === 'object') {
    const o = value as { [key: string]: unknown };
    const getAtt = o['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string') {
      out.push([getAtt[0], getAtt[1]]);
    }
    Object.values(o).forEach((v) => getAttsOf(v, out));
  }
  return out;
}
