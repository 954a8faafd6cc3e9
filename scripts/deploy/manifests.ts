import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The repository's root folder. */
export const ROOT = path.resolve(__dirname, '../..');
export const K8S_DIR = 'deploy/k8s';
export const DOCKERFILE = 'deploy/docker/service.Dockerfile';
export const COMPOSE_FILE = 'docker-compose.yml';
/** The Secrets and ConfigMaps a deployment provides itself, with placeholders; not applied by kustomize. */
export const K8S_INPUTS = `${K8S_DIR}/inputs.example.yaml`;
/** Written by `npm run k8s:kafka` from the rest of the manifests and the code. */
export const TOPICS_FILE = `${K8S_DIR}/kafka/topics.yaml`;
export const USERS_FILE = `${K8S_DIR}/kafka/users.yaml`;

/** Manifests are untyped YAML: each check says what it expected where it did not find it. */
export type Yaml = any;

/** A Kubernetes object with the file it is in (relative to the repository). */
export interface Manifest {
  file: string;
  kind: string;
  name: string;
  body: Yaml;
}

export function readText(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}

/** Every document of a YAML file, as plain data; a syntax error names the file. */
export function readYaml(file: string): Yaml[] {
  return parseAllDocuments(readText(file)).map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0].message}`);
    return document.toJS();
  });
}

function manifestsIn(file: string): Manifest[] {
  return readYaml(file)
    .filter((body) => body !== null)
    .map((body) => ({ file, kind: body.kind, name: body.metadata?.name, body }));
}

/** What `kubectl apply -k deploy/k8s` applies: the objects of every resource of kustomization.yaml but `skip`. */
export function kustomization(skip: string[] = []): { file: string; body: Yaml; manifests: Manifest[] } {
  const file = `${K8S_DIR}/kustomization.yaml`;
  const [body] = readYaml(file);
  const manifests = (body.resources as string[])
    .map((resource) => `${K8S_DIR}/${resource}`)
    .filter((resource) => !skip.includes(resource))
    .flatMap(manifestsIn);
  return { file, body, manifests };
}

export function inputs(): Manifest[] {
  return manifestsIn(K8S_INPUTS);
}

export function find(manifests: Manifest[], kind: string, name: string): Manifest | undefined {
  return manifests.find((m) => m.kind === kind && m.name === name);
}

/**
 * The runtime stage of deploy/docker/service.Dockerfile: its build arguments, environment (with
 * the build arguments given substituted), exposed ports, user, health check and command.
 */
export interface ImageStage {
  args: string[];
  env: Record<string, string>;
  expose: string[];
  user?: string;
  workdir?: string;
  healthcheck?: string;
  cmd?: string;
  /** The sources of every COPY of the whole file. */
  copies: string[];
}

export function dockerImage(buildArgs: Record<string, string>): ImageStage {
  const lines = readText(DOCKERFILE)
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const expand = (text: string, values: Record<string, string>) => text.replace(/\$\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
  const globalArgs: Record<string, string> = {};
  let stage: ImageStage | undefined;
  let stageArgs: Record<string, string> = {};
  const copies: string[] = [];
  for (const line of lines) {
    const [instruction, ...rest] = line.split(/\s+/);
    const text = rest.join(' ');
    switch (instruction.toUpperCase()) {
      case 'FROM':
        stage = { args: [], env: {}, expose: [], copies };
        stageArgs = {};
        break;
      case 'ARG': {
        const [name, fallback] = text.split('=');
        const value = buildArgs[name] ?? fallback;
        if (stage) {
          stage.args.push(name);
          if (value !== undefined) stageArgs[name] = value;
        } else if (value !== undefined) globalArgs[name] = value;
        break;
      }
      case 'ENV':
        for (const pair of text.match(/\w+=("[^"]*"|\S+)/g) ?? []) {
          const [name, value] = pair.split(/=(.*)/s);
          stage!.env[name] = expand(value.replace(/^"|"$/g, ''), { ...stageArgs, ...stage!.env });
        }
        break;
      case 'EXPOSE':
        stage!.expose.push(...rest.map((port) => expand(port, { ...stageArgs, ...stage!.env })));
        break;
      case 'USER':
        stage!.user = text;
        break;
      case 'WORKDIR':
        stage!.workdir = expand(text, { ...stageArgs, ...stage!.env });
        break;
      case 'HEALTHCHECK':
        stage!.healthcheck = text;
        break;
      case 'CMD':
        stage!.cmd = text;
        break;
      case 'COPY':
        copies.push(rest.filter((word) => !word.startsWith('--')).slice(0, -1).join(' '));
        break;
    }
  }
  if (!stage) throw new Error(`${DOCKERFILE} has no FROM`);
  return stage;
}

/**
 * The environment a container of `deployment` starts with: the image's, then the Deployment's
 * `env`, with references to ConfigMaps and Secrets resolved against `sources` (the applied
 * objects and the deployment's own inputs). The Secret named after the agency the container runs
 * as (AGENCY_ID), key `password`, is the one Strimzi's User Operator makes for the agency's
 * KafkaUser. `problems` says what could not be resolved, and where.
 */
export function containerEnvironment(
  deployment: Manifest,
  image: Record<string, string>,
  sources: Manifest[],
): { env: Record<string, string>; set: string[]; problems: string[] } {
  const where = `${deployment.file}: Deployment ${deployment.name}`;
  const container = deployment.body.spec?.template?.spec?.containers?.[0];
  const entries = (container?.env ?? []) as Yaml[];
  const problems: string[] = [];
  const env: Record<string, string> = { ...image };
  if (container?.envFrom) problems.push(`${where} uses envFrom: name each variable, so that each can be checked against the code`);
  const resolve = (entry: Yaml): string | undefined => {
    if (entry.value !== undefined) return String(entry.value);
    const kind = entry.valueFrom?.configMapKeyRef ? 'ConfigMap' : entry.valueFrom?.secretKeyRef ? 'Secret' : undefined;
    const ref = entry.valueFrom?.configMapKeyRef ?? entry.valueFrom?.secretKeyRef;
    if (kind === 'Secret' && ref.name === env.AGENCY_ID && ref.key === 'password') return '(made by the User Operator)';
    const source = kind && find(sources, kind, ref.name);
    const value = source?.body.data?.[ref.key] ?? source?.body.stringData?.[ref.key];
    if (value === undefined) problems.push(`${where} takes ${entry.name} from ${kind ?? 'nowhere'} ${ref?.name ?? ''} ${ref?.key ?? ''}, which neither ${K8S_DIR} nor ${K8S_INPUTS} has`);
    return value === undefined ? undefined : String(value);
  };
  // Secrets last: the agency id decides which Secret is the KafkaUser's.
  const ordered = [...entries.filter((e) => !e.valueFrom?.secretKeyRef), ...entries.filter((e) => e.valueFrom?.secretKeyRef)];
  for (const entry of ordered) {
    const value = resolve(entry);
    if (value !== undefined) env[entry.name] = value;
  }
  return { env, set: entries.map((e) => e.name), problems };
}
