/**
 * Reads a synthesized cloud assembly (`cdk.out`): the manifest, each stack's template and
 * metadata file, and the construct tree. Plain TypeScript: no CDK imports, so that the
 * command-line tool works on any app's output.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Parsed CloudFormation and manifest JSON, whose shape varies by resource type and version. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON read from the cloud assembly
export type Json = any;

/** A CloudFormation template as parsed from JSON. */
export interface Template {
  readonly Description?: string;
  readonly Metadata?: { [key: string]: Json };
  readonly Resources?: { [logicalId: string]: TemplateResource };
  readonly Outputs?: { [name: string]: Json };
}

/** One resource of a template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: { [key: string]: Json };
  readonly Metadata?: { [key: string]: Json };
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  /** The name of the template condition under which CloudFormation creates the resource. */
  readonly Condition?: string;
}

/** An acknowledged compliance finding, as recorded by `Validations.of(construct).acknowledge`. */
export interface Acknowledgement {
  readonly stack: string;
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
}

/** One stack of the assembly. */
export interface StackArtifact {
  /** The artifact id (the stack's name in the assembly). */
  readonly id: string;
  readonly displayName: string;
  readonly account: string;
  readonly region: string;
  readonly template: Template;
  /** Construct path (without leading slash) of each logical id. */
  readonly pathOfLogicalId: Map<string, string>;
  readonly acknowledgements: Acknowledgement[];
  /** The construct class (`fqn` from tree.json) of each construct path, where known. */
  readonly constructClassOfPath: Map<string, string>;
}

/** The stacks of a cloud assembly, nested stages included. */
export interface Assembly {
  readonly directory: string;
  readonly stacks: StackArtifact[];
}

/** A problem with the input, reported as one line without a stack trace. */
export class ReportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}

function readJson(file: string, what: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ReportInputError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ReportInputError(`${what} ${file} is not valid JSON`);
  }
}

/** Reads the cloud assembly in `directory`; throws `ReportInputError` with a one-line message on bad input. */
export function loadAssembly(directory: string): Assembly {
  const dir = resolve(directory);
  if (!existsSync(dir)) {
    throw new ReportInputError(`${dir} does not exist: run \`cdk synth\` first, or pass the folder of the synthesized app`);
  }
  if (!statSync(dir).isDirectory()) {
    throw new ReportInputError(`${dir} is not a folder: pass the cdk.out folder of a synthesized app`);
  }
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new ReportInputError(`${dir} is not a cloud assembly (no manifest.json): pass the cdk.out folder of a synthesized app`);
  }
  const stacks: StackArtifact[] = [];
  collectStacks(dir, stacks, new Set());
  if (stacks.length === 0) {
    throw new ReportInputError(`${dir} holds no CloudFormation stacks`);
  }
  return { directory: dir, stacks };
}

function collectStacks(dir: string, stacks: StackArtifact[], seen: Set<string>): void {
  if (seen.has(dir)) {
    return;
  }
  seen.add(dir);
  const manifest = readJson(join(dir, 'manifest.json'), 'the assembly manifest');
  if (!manifest || typeof manifest !== 'object' || typeof manifest.artifacts !== 'object') {
    throw new ReportInputError(`${join(dir, 'manifest.json')} is not a cloud assembly manifest (no artifacts)`);
  }
  const tree = existsSync(join(dir, 'tree.json')) ? readJson(join(dir, 'tree.json'), 'the construct tree') : undefined;
  for (const [id, artifact] of Object.entries<Json>(manifest.artifacts)) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      collectStacks(join(dir, artifact.properties.directoryName), stacks, seen);
      continue;
    }
    if (artifact.type !== 'aws:cloudformation:stack') {
      continue;
    }
    const template: Template = readJson(join(dir, artifact.properties.templateFile), `the template of stack ${id}`);
    const metadata: { [path: string]: Array<{ type: string; data: Json }> } = artifact.additionalMetadataFile
      ? readJson(join(dir, artifact.additionalMetadataFile), `the metadata of stack ${id}`)
      : (artifact.metadata ?? {});
    const [, account = 'unknown-account', region = 'unknown-region'] = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '') ?? [];
    const pathOfLogicalId = new Map<string, string>();
    const acknowledgements: Acknowledgement[] = [];
    for (const [path, entries] of Object.entries(metadata)) {
      const constructPath = path.replace(/^\//, '');
      for (const entry of entries ?? []) {
        if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') {
          pathOfLogicalId.set(entry.data, constructPath);
        } else if (entry.type === 'aws:cdk:acknowledged-rules' && entry.data && typeof entry.data === 'object') {
          for (const [rule, reason] of Object.entries(entry.data)) {
            acknowledgements.push({ stack: id, path: constructPath, rule: rule.replace(/^Annotation::/, ''), reason: String(reason) });
          }
        }
      }
    }
    // Fallback for assemblies synthesized with path metadata but no metadata file.
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      const path = resource.Metadata?.['aws:cdk:path'];
      if (typeof path === 'string' && !pathOfLogicalId.has(logicalId)) {
        pathOfLogicalId.set(logicalId, path);
      }
    }
    stacks.push({
      id,
      displayName: artifact.displayName ?? id,
      account,
      region,
      template,
      pathOfLogicalId,
      acknowledgements,
      constructClassOfPath: classesOf(tree?.tree, id),
    });
  }
}

/** Walks tree.json below the stack's node and maps each construct path to its class. */
function classesOf(root: Json, stackId: string): Map<string, string> {
  const classes = new Map<string, string>();
  const walk = (node: Json): void => {
    if (!node || typeof node !== 'object') {
      return;
    }
    if (typeof node.path === 'string' && typeof node.constructInfo?.fqn === 'string') {
      classes.set(node.path, node.constructInfo.fqn);
    }
    for (const child of Object.values(node.children ?? {})) {
      walk(child);
    }
  };
  const stackNode = Object.values<Json>(root?.children ?? {}).find((child) => child?.id === stackId || child?.path === stackId);
  walk(stackNode ?? root);
  return classes;
}
