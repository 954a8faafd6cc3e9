import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Kafka } from 'kafkajs';
import { EventEnvelope, EventRegistry, interlinkRegistry } from '@interlink/contracts';
import { EventStore } from '@interlink/event-store';
import { EventConsumer, KeyReceiver, Relay, TopicManager, agencyAcls } from '@interlink/messaging';
import { ArchiveConsumer } from '../../services/audit/src/archive/archive.consumer';
import { consoleConfigFromEnv } from '../../services/task-force-console/src/config';
import { IntakeRuntime } from '../../services/task-force-console/src/intake/intake.runtime';
import { ConsoleProjector } from '../../services/task-force-console/src/read-model/projector';
import {
  COMPOSE_FILE, DOCKERFILE, K8S_DIR, K8S_INPUTS, Manifest, ROOT, TOPICS_FILE, USERS_FILE, Yaml, dockerImage, find, inputs, kustomization, readText, readYaml,
} from '../../scripts/deploy/manifests';
import { deployedEnvironments, networkTopicSettings } from '../../scripts/deploy/network';
import { SERVICES, SERVICE_NAMES, ServiceDefinition, ServiceProfile, routesOf, variablesRead } from '../../scripts/deploy/services';
import { CLUSTER_FILE, kafkaManifests, kafkaUser } from '../../scripts/deploy/strimzi';
import { aclLines, allows, difference, expectNoProblems, strimziAclLines } from './checks';

// Building the services' modules logs TypeORM's notice about several default data sources.
Logger.overrideLogger(['error']);

const definition = (name: string): ServiceDefinition => SERVICES.find((s) => s.name === name)!;
/** What the code does with no environment at all: its defaults (ports, agency ids). */
const defaults = (name: string): ServiceProfile => definition(name).profile({});

const applied = kustomization();
const sources = [...applied.manifests, ...inputs()];
const environments = deployedEnvironments();
const environmentOf = (name: string) => environments.find((e) => e.name === name)!;
const deploymentOf = (name: string) => environmentOf(name).deployment!;
const containerOf = (deployment: Manifest): Yaml => deployment.body.spec.template.spec.containers[0];
const profileOf = (name: string): ServiceProfile => definition(name).profile(environmentOf(name).env);
const kafkaUsers = () => applied.manifests.filter((m) => m.kind === 'KafkaUser');
const kafkaTopics = () => applied.manifests.filter((m) => m.kind === 'KafkaTopic');

/** Where a Deployment's variable comes from: `value`, or the ConfigMap or Secret and key it names. */
function sourceOf(deployment: Manifest, variable: string): { kind: 'value' | 'ConfigMap' | 'Secret'; name?: string; key?: string } | undefined {
  const entry = (containerOf(deployment).env as Yaml[]).find((e) => e.name === variable);
  if (!entry) return undefined;
  if (entry.valueFrom?.configMapKeyRef) return { kind: 'ConfigMap', ...entry.valueFrom.configMapKeyRef };
  if (entry.valueFrom?.secretKeyRef) return { kind: 'Secret', ...entry.valueFrom.secretKeyRef };
  return { kind: 'value' };
}

/** The volume mounted at `mountPath` (or at the folder holding it), with its source. */
function mountAt(deployment: Manifest, mountPath: string): { volume: Yaml; mount: Yaml } | undefined {
  const mount = (containerOf(deployment).volumeMounts as Yaml[] | undefined)?.find((m) => m.mountPath === mountPath);
  const volume = mount && (deployment.body.spec.template.spec.volumes as Yaml[]).find((v) => v.name === mount.name);
  return volume ? { volume, mount } : undefined;
}

describe('deploy/k8s', () => {
  it('applies every manifest under deploy/k8s but the deployment inputs, which hold only placeholders', () => {
    const yamlFiles = (dir: string): string[] =>
      readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? yamlFiles(`${dir}/${e.name}`) : e.name.endsWith('.yaml') ? [`${dir}/${e.name}`] : [],
      );
    const resources = (applied.body.resources as string[]).map((r) => `${K8S_DIR}/${r}`);
    const problems = [
      ...yamlFiles(K8S_DIR)
        .filter((f) => f !== applied.file && f !== K8S_INPUTS && !resources.includes(f))
        .map((f) => `${f} is not among the resources of ${applied.file}`),
      ...(resources.includes(K8S_INPUTS) ? [`${applied.file} applies ${K8S_INPUTS}, whose values are placeholders`] : []),
      ...applied.manifests.filter((m) => m.kind === 'Secret').map((m) => `${m.file}: Secret ${m.name} would commit a secret; it belongs in ${K8S_INPUTS}`),
      ...inputs().flatMap((m) =>
        Object.entries({ ...m.body.data, ...m.body.stringData })
          .filter(([key, value]) => !String(value).includes('REPLACE') && !key.includes('REPLACE'))
          .map(([key]) => `${m.file}: ${m.kind} ${m.name}, ${key} is not a placeholder (REPLACE...)`),
      ),
    ];
    expectNoProblems(problems);
  });

  it('needs exactly the Secrets and ConfigMaps that it applies, the deployment provides, or Strimzi makes', () => {
    const referenced = new Set<string>();
    const problems: string[] = [];
    for (const name of SERVICE_NAMES) {
      const deployment = deploymentOf(name);
      const env = environmentOf(name).env;
      for (const entry of containerOf(deployment).env as Yaml[]) {
        const ref = entry.valueFrom?.configMapKeyRef ?? entry.valueFrom?.secretKeyRef;
        if (ref) referenced.add(`${entry.valueFrom.configMapKeyRef ? 'ConfigMap' : 'Secret'} ${ref.name}`);
      }
      for (const volume of deployment.body.spec.template.spec.volumes as Yaml[]) {
        const [kind, sourceName] = volume.secret ? ['Secret', volume.secret.secretName] : volume.configMap ? ['ConfigMap', volume.configMap.name] : [];
        if (!kind) continue;
        referenced.add(`${kind} ${sourceName}`);
        if (!find(sources, kind, sourceName)) problems.push(`${deployment.file}: volume ${volume.name} mounts ${kind} ${sourceName}, which neither ${K8S_DIR} nor ${K8S_INPUTS} has`);
      }
      const password = sourceOf(deployment, 'KAFKA_SASL_PASSWORD');
      const user = find(applied.manifests, 'KafkaUser', env.AGENCY_ID);
      if (password?.kind !== 'Secret' || password.name !== env.AGENCY_ID || password.key !== 'password') {
        problems.push(`${deployment.file}: KAFKA_SASL_PASSWORD must come from the Secret Strimzi makes for KafkaUser ${env.AGENCY_ID} (key password)`);
      } else if (user?.body.spec?.authentication?.type !== 'scram-sha-512') {
        problems.push(`${deployment.file}: takes its Kafka password from KafkaUser ${env.AGENCY_ID}, which ${USERS_FILE} lacks or does not make with scram-sha-512`);
      }
      problems.push(...environmentOf(name).problems);
    }
    for (const input of inputs()) {
      if (!referenced.has(`${input.kind} ${input.name}`)) problems.push(`${input.file}: ${input.kind} ${input.name} is not used by any Deployment`);
    }
    expectNoProblems(problems);
  });

  describe.each(SERVICE_NAMES)('%s', (name) => {
    it("listens on the service's own port, in its Deployment, Service and image", () => {
      const deployment = deploymentOf(name);
      const port = defaults(name).port;
      const service = find(applied.manifests, 'Service', name);
      const http = (containerOf(deployment).ports as Yaml[]).find((p) => p.name === 'http');
      const images = (applied.body.images as Yaml[]).map((i) => i.name);
      const problems = [
        ...(http?.containerPort === port ? [] : [`${deployment.file}: container port "http" is ${http?.containerPort}, the service listens on ${port}`]),
        ...(profileOf(name).port === port ? [] : [`${deployment.file}: PORT makes the service listen on ${profileOf(name).port}, not ${port}`]),
        ...(service ? [] : [`${deployment.file}: no Service ${name}`]),
        ...(service && service.body.spec.ports[0]?.port !== port ? [`${service.file}: Service ${name} has port ${service.body.spec.ports[0]?.port}, not ${port}`] : []),
        ...(service && service.body.spec.ports[0]?.targetPort !== 'http' ? [`${service.file}: Service ${name} must target the container port "http"`] : []),
        ...(service && service.body.spec.selector?.['app.kubernetes.io/name'] !== deployment.body.spec.template.metadata.labels['app.kubernetes.io/name']
          ? [`${service.file}: Service ${name} does not select the pods of Deployment ${name}`]
          : []),
        ...(dockerImage({ SERVICE: name, PORT: String(port) }).expose.includes(String(port)) ? [] : [`${DOCKERFILE} does not expose the PORT it is built with`]),
        ...(containerOf(deployment).image === `interlink/${name}` && images.includes(`interlink/${name}`)
          ? []
          : [`${deployment.file}: image ${containerOf(deployment).image} should be interlink/${name}, with its tag in ${applied.file}`]),
      ];
      expectNoProblems(problems);
    });

    it('sets only variables its configuration reads, and every one the cluster cannot leave to a development default', () => {
      const { deployment, env, set } = environmentOf(name);
      const where = `${deployment!.file}: Deployment ${name}`;
      let profile: ServiceProfile;
      try {
        profile = profileOf(name);
      } catch (error) {
        const unread = set.filter((v) => !variablesRead(definition(name)).includes(v)).map((v) => `${where} sets ${v}, which services/${name} never reads`);
        expectNoProblems([...unread, `${where}: the service would refuse its environment: ${(error as Error).message}`]);
        return;
      }
      const read = variablesRead(definition(name), env);
      const problems = set.filter((v) => !read.includes(v)).map((v) => `${where} sets ${v}, which services/${name} never reads`);
      const check = (ok: boolean, problem: string) => (ok ? [] : [`${where}: ${problem}`]);
      const database = sourceOf(deployment!, 'DATABASE_URL');
      const keyFile = profile.signing?.keyFile;
      const signingMount = keyFile ? mountAt(deployment!, path.posix.dirname(keyFile)) : undefined;
      const trusted = profile.senders.filter((s) => s !== profile.agencyId);
      problems.push(
        ...check(profile.agencyId === defaults(name).agencyId, `AGENCY_ID is ${profile.agencyId}; the network of deploy/k8s is the default one (${defaults(name).agencyId})`),
        ...check(JSON.stringify(profile.senders) === JSON.stringify(defaults(name).senders), `the partners' agency ids (${profile.senders}) are not the default ones (${defaults(name).senders})`),
        ...check(profile.host === '0.0.0.0', `HOST is ${profile.host}: the probes and the Service reach the pod on its own address, so it must listen on 0.0.0.0`),
        ...check(database?.kind === 'Secret', 'DATABASE_URL must come from a Secret (it holds the password), not the development default or a literal'),
        ...check(profile.kafka.sasl?.username === profile.agencyId, `KAFKA_SASL_USERNAME must be the agency id (${profile.agencyId}), the name of its KafkaUser`),
        ...check(sourceOf(deployment!, 'AUTH_ISSUER')?.name === 'interlink-token-issuer', 'AUTH_ISSUER must come from ConfigMap interlink-token-issuer, not the development issuer'),
        ...check(mountAt(deployment!, profile.auth.keysDir)?.volume.configMap?.name === 'interlink-token-issuer', `AUTH_KEYS_DIR (${profile.auth.keysDir}) must be where ConfigMap interlink-token-issuer is mounted`),
        ...trusted
          .filter((s) => mountAt(deployment!, `${profile.trustedKeysDir}/${s}`)?.volume.configMap?.name !== `interlink-public-keys-${s}`)
          .map((s) => `${where}: ConfigMap interlink-public-keys-${s} must be mounted at ${profile.trustedKeysDir}/${s} (TRUSTED_KEYS_DIR/<agency id>) to verify ${s}'s events`),
      );
      if (profile.publishes) {
        problems.push(
          ...check(Boolean(keyFile && profile.signing?.keyId), 'SIGNING_KEY_FILE and SIGNING_KEY_ID must be set: without them the service writes itself a development key'),
          ...check(
            signingMount?.volume.secret?.secretName === `${name}-signing-key` && sourceOf(deployment!, 'SIGNING_KEY_ID')?.name === `${name}-signing-key`,
            `SIGNING_KEY_FILE (${keyFile}) must be in the mount of Secret ${name}-signing-key, and SIGNING_KEY_ID from that Secret`,
          ),
        );
      }
      expectNoProblems(problems);
    });

    it('probes the routes the service has: liveness /health, readiness /health/serving', () => {
      const deployment = deploymentOf(name);
      const container = containerOf(deployment);
      const routes = routesOf(definition(name).module(environmentOf(name).env));
      const expected: [string, string][] = [['livenessProbe', '/health'], ['readinessProbe', '/health/serving'], ['startupProbe', '/health']];
      const problems = expected.flatMap(([probe, route]) => {
        const get = container[probe]?.httpGet;
        if (get?.path !== route || get?.port !== 'http') return [`${deployment.file}: ${probe} must be GET ${route} on port "http", is ${JSON.stringify(get)}`];
        return routes.includes(`GET ${route}`) ? [] : [`${deployment.file}: ${probe} probes GET ${route}, which services/${name} does not serve (${routes.join(', ')})`];
      });
      expectNoProblems(problems);
    });

    it('has its pods scraped by Prometheus on its own port, at the metrics route it serves', () => {
      const deployment = deploymentOf(name);
      const annotations: Record<string, string> = deployment.body.spec.template.metadata.annotations ?? {};
      const routes = routesOf(definition(name).module(environmentOf(name).env));
      const port = defaults(name).port;
      const where = `${deployment.file}: Deployment ${name}`;
      const problems = [
        ...(annotations['prometheus.io/scrape'] === 'true' ? [] : [`${where} needs the pod annotation prometheus.io/scrape: "true"`]),
        ...(annotations['prometheus.io/port'] === String(port) ? [] : [`${where}: prometheus.io/port is ${annotations['prometheus.io/port']}, the service listens on ${port}`]),
        ...(routes.includes(`GET ${annotations['prometheus.io/path']}`) ? [] : [`${where}: prometheus.io/path ${annotations['prometheus.io/path']} is no GET route of services/${name} (${routes.join(', ')})`]),
      ];
      expectNoProblems(problems);
    });

    it('runs as a non-root user, read-only, without privileges, with memory bounds', () => {
      const deployment = deploymentOf(name);
      const pod = deployment.body.spec.template.spec;
      const container = containerOf(deployment);
      const where = `${deployment.file}: Deployment ${name}`;
      const problems = [
        ...(pod.securityContext?.runAsNonRoot === true && pod.securityContext?.runAsUser > 0 ? [] : [`${where} must run as a non-root user (runAsNonRoot, runAsUser)`]),
        ...(container.securityContext?.readOnlyRootFilesystem === true ? [] : [`${where}: the root file system must be read-only`]),
        ...(container.securityContext?.allowPrivilegeEscalation === false ? [] : [`${where} must not allow privilege escalation`]),
        ...(JSON.stringify(container.securityContext?.capabilities?.drop) === '["ALL"]' ? [] : [`${where} must drop all capabilities`]),
        ...(container.resources?.requests?.memory && container.resources?.requests?.cpu && container.resources?.limits?.memory ? [] : [`${where} needs cpu and memory requests and a memory limit`]),
        ...(pod.automountServiceAccountToken === false ? [] : [`${where} does not call the Kubernetes API: it needs no service account token`]),
      ];
      expectNoProblems(problems);
    });
  });
});

describe('deploy/k8s/kafka', () => {
  const [pool, kafka] = ['KafkaNodePool', 'Kafka'].map((kind) => applied.manifests.find((m) => m.kind === kind));
  // Read in each test, so that a service refusing its environment fails the tests that need it, saying why.
  const allProfiles = () => SERVICE_NAMES.map(profileOf);

  it('is a KRaft cluster of three nodes that keeps three copies and needs two, reached as KAFKA_BROKERS with SCRAM logins', () => {
    const profiles = allProfiles();
    const config = kafka?.body.spec.kafka.config ?? {};
    const listener = (kafka?.body.spec.kafka.listeners as Yaml[] | undefined)?.find((l) => l.authentication?.type === 'scram-sha-512');
    const brokers = new Set(profiles.map((p) => p.kafka.brokers.join(',')));
    const replication = networkTopicSettings(profiles).replicationFactor;
    const where = CLUSTER_FILE;
    const problems = [
      ...(pool && pool.body.spec.replicas === 3 && ['controller', 'broker'].every((r) => pool.body.spec.roles.includes(r)) ? [] : [`${where}: the KafkaNodePool must have 3 replicas that are controllers and brokers`]),
      ...(pool?.body.metadata.labels?.['strimzi.io/cluster'] === kafka?.name ? [] : [`${where}: the KafkaNodePool must be labelled strimzi.io/cluster: ${kafka?.name}`]),
      ...(kafka?.body.metadata.annotations?.['strimzi.io/kraft'] === 'enabled' && kafka?.body.metadata.annotations?.['strimzi.io/node-pools'] === 'enabled' ? [] : [`${where}: the Kafka must enable KRaft and node pools`]),
      ...(config['min.insync.replicas'] === 2 ? [] : [`${where}: min.insync.replicas must be 2, is ${config['min.insync.replicas']}`]),
      ...(config['default.replication.factor'] === 3 && replication === 3 ? [] : [`${where}: default.replication.factor (${config['default.replication.factor']}) and KAFKA_REPLICATION_FACTOR (${replication}) must be 3`]),
      ...(config['offsets.topic.replication.factor'] === 3 ? [] : [`${where}: the consumer offsets must be kept three times`]),
      ...(config['auto.create.topics.enable'] === false ? [] : [`${where}: topics must not be created by a produce or fetch`]),
      ...(config['log.retention.ms'] === -1 ? [] : [`${where}: records must be kept for ever (log.retention.ms: -1): the auditors verify logs from Kafka`]),
      ...(kafka?.body.spec.kafka.authorization?.type === 'simple' ? [] : [`${where}: authorization must be simple, or the KafkaUsers' ACLs are not enforced`]),
      ...(kafka?.body.spec.entityOperator?.topicOperator && kafka?.body.spec.entityOperator?.userOperator ? [] : [`${where}: the topic and user operators must run`]),
      ...([...brokers].join() === `${kafka?.name}-kafka-bootstrap:${listener?.port}` ? [] : [`${K8S_DIR}/network.yaml: KAFKA_BROKERS (${[...brokers]}) must be ${kafka?.name}-kafka-bootstrap:<port of the scram-sha-512 listener ${listener?.port}>`]),
    ];
    expectNoProblems(problems);
  });

  it('holds the generated topics and users as the code and the Deployments give them now', () => {
    const problems = Object.entries(kafkaManifests())
      .filter(([file, text]) => readText(file) !== text)
      .map(([file]) => `${file} differs from what the code and the Deployments give: run npm run k8s:kafka`);
    expectNoProblems(problems);
  });

  it('has a KafkaTopic for every topic the services read, publish to and park in, made as TopicManager makes it', () => {
    const profiles = allProfiles();
    // The runtime classes themselves say which topics they use.
    const inert = { kafka: { admin: () => ({}) } as unknown as Kafka, topics: {} as TopicManager, dataSource: {} as DataSource, registry: {} as EventRegistry };
    const used = new Set<string>();
    for (const profile of profiles) {
      new KeyReceiver(inert.kafka, inert.topics, inert.dataSource, { agencyId: profile.agencyId, senders: profile.senders }).topicNames.forEach((t) => used.add(t));
      if (profile.consumer) used.add(new EventConsumer(inert.kafka, inert.topics, inert.dataSource, inert.registry, { name: profile.consumer, agencyId: profile.agencyId, topics: [], handler: async () => undefined }).deadLetterTopic);
      if (profile.publishes) {
        const relay = new Relay(inert.kafka, inert.topics, inert.dataSource, { agencyId: profile.agencyId } as EventStore, { databaseUrl: profile.databaseUrl, auditAgencyId: profile.auditAgencyId });
        const toEveryone = { type: 'intel.x.y', classification: 'AMBER', releasableto: profiles.map((p) => p.agencyId).join(','), data: {} } as unknown as EventEnvelope;
        relay.route([toEveryone]).forEach((m) => used.add(m.topic));
      }
    }
    const audit = profileOf('audit');
    new ArchiveConsumer(inert.kafka, inert.topics, inert.dataSource, audit.agencyId, audit.senders).topicNames.forEach((t) => used.add(t));
    const intake = new IntakeRuntime(consoleConfigFromEnv(environmentOf('task-force-console').env), inert.kafka, inert.dataSource, interlinkRegistry(), {} as ConsoleProjector);
    intake.topics.forEach((t) => used.add(t));

    const topics = kafkaTopics();
    const settings = networkTopicSettings(profiles);
    const replicas = kafka?.body.spec.kafka.config['default.replication.factor'];
    const problems = [
      ...difference(TOPICS_FILE, [...used].sort(), topics.map((t) => t.name).sort()).map((p) => p.replace(' lacks ', ' lacks a KafkaTopic for ')),
      ...topics.flatMap((t) => {
        const keys = t.name.startsWith('keys.');
        const partitions = keys || settings.singlePartition?.(t.name) ? 1 : settings.partitions;
        const config = keys ? { 'cleanup.policy': 'compact', 'segment.ms': String(settings.keyTopicCompactionLagMs), 'max.compaction.lag.ms': String(settings.keyTopicCompactionLagMs) } : {};
        const actual = Object.fromEntries(Object.entries(t.body.spec.config ?? {}).map(([k, v]) => [k, String(v)]));
        return [
          ...(t.body.spec.partitions === partitions ? [] : [`${t.file}: ${t.name} has ${t.body.spec.partitions} partitions, TopicManager makes ${partitions}`]),
          ...(t.body.spec.replicas === replicas ? [] : [`${t.file}: ${t.name} has ${t.body.spec.replicas} replicas, the cluster's default is ${replicas}`]),
          ...Object.entries(config).filter(([k, v]) => actual[k] !== v).map(([k, v]) => `${t.file}: ${t.name} must have ${k} ${v}, has ${actual[k]}`),
          ...(t.body.metadata.labels?.['strimzi.io/cluster'] === kafka?.name ? [] : [`${t.file}: ${t.name} is not labelled for cluster ${kafka?.name}`]),
        ];
      }),
    ];
    expectNoProblems(problems);
  });

  it("gives each service a SCRAM KafkaUser with exactly acls.ts's ACLs for its agency", () => {
    const profiles = allProfiles();
    const users = kafkaUsers();
    const problems = [
      ...difference(USERS_FILE, profiles.map((p) => `KafkaUser ${p.agencyId}`).sort(), users.map((u) => `KafkaUser ${u.name}`).sort()),
      ...profiles.flatMap((p) => {
        const user = find(users, 'KafkaUser', p.agencyId);
        return user ? difference(`${USERS_FILE}: KafkaUser ${p.agencyId}`, aclLines(agencyAcls(p.agencyId, p.senders)), strimziAclLines(user)) : [];
      }),
    ];
    expectNoProblems(problems);
  });

  it("reads the generator's KafkaUser back as acls.ts's ACLs, and reports one it lacks", () => {
    const [profile] = allProfiles();
    const expected = aclLines(agencyAcls(profile.agencyId, profile.senders));
    const user: Manifest = { file: 'generated', kind: 'KafkaUser', name: profile.agencyId, body: kafkaUser('interlink', profile.agencyId, agencyAcls(profile.agencyId, profile.senders)) };
    expect(difference('generated', expected, strimziAclLines(user))).toEqual([]);
    user.body.spec.authorization.acls.pop();
    expect(difference('generated', expected, strimziAclLines(user))).toEqual([`generated lacks ALLOW User:${profile.agencyId} CLUSTER LITERAL kafka-cluster IDEMPOTENT_WRITE host *`]);
  });

  it('lets each service read its partners, publish and park under its own name, and use its consumer group', () => {
    const profiles = allProfiles();
    const lines = kafkaUsers().flatMap(strimziAclLines);
    const problems: string[] = [];
    const need = (who: string, resource: string, name: string, operation: string) => {
      if (!allows(lines, `User:${who}`, resource, name, operation)) problems.push(`${USERS_FILE}: ${who} may not ${operation} ${resource} ${name}`);
    };
    const topics = kafkaTopics().map((t) => t.name);
    for (const p of profiles) {
      for (const topic of topics) {
        const [kind, from, to] = topic.split('.');
        if (kind !== 'dlq' && to === p.agencyId) ['READ', 'DESCRIBE'].forEach((op) => need(p.agencyId, 'TOPIC', topic, op));
        if (kind !== 'dlq' && from === p.agencyId) ['WRITE', 'DESCRIBE'].forEach((op) => need(p.agencyId, 'TOPIC', topic, op));
      }
      if (p.consumer) {
        need(p.agencyId, 'GROUP', p.consumer, 'READ');
        need(p.agencyId, 'TOPIC', `dlq.${p.consumer}`, 'WRITE');
      }
      if (p.publishes) need(p.agencyId, 'CLUSTER', 'kafka-cluster', 'IDEMPOTENT_WRITE');
    }
    expectNoProblems(problems);
  });
});

describe(DOCKERFILE, () => {
  it('builds each service as a non-root image that exposes its port, checks /health and bakes in no secret', () => {
    const problems: string[] = [];
    const everyServiceReads = SERVICES.map((s) => variablesRead(s)).reduce((all, names) => all.filter((n) => names.includes(n)));
    for (const name of SERVICE_NAMES) {
      const port = String(defaults(name).port);
      const image = dockerImage({ SERVICE: name, PORT: port });
      const routes = routesOf(definition(name).module({}));
      if (!image.args.includes('SERVICE') || !image.args.includes('PORT')) problems.push(`${DOCKERFILE}: the runtime stage needs ARG SERVICE and ARG PORT`);
      if (image.env.PORT !== port || !image.expose.includes(port)) problems.push(`${DOCKERFILE}: built for ${name} it sets PORT ${image.env.PORT} and exposes ${image.expose}, not ${port}`);
      if (image.workdir !== `/app/services/${name}` || image.cmd !== '["node", "dist/main.js"]') problems.push(`${DOCKERFILE}: must run services/${name}/dist/main.js, runs ${image.cmd} in ${image.workdir}`);
      if (!/"\/health"|\/health`/.test(image.healthcheck ?? '') || !routes.includes('GET /health')) problems.push(`${DOCKERFILE}: HEALTHCHECK must GET /health, which ${name} serves`);
    }
    const image = dockerImage({ SERVICE: 'police', PORT: '3001' });
    if (!/^[1-9]\d*(:\d+)?$/.test(image.user ?? '')) problems.push(`${DOCKERFILE}: USER must be a numeric non-root user (Kubernetes checks runAsNonRoot by number), is ${image.user}`);
    // NODE_ENV is read by Express and other libraries, not by Interlink's configuration.
    for (const variable of Object.keys(image.env).filter((v) => v !== 'NODE_ENV' && !everyServiceReads.includes(v))) {
      problems.push(`${DOCKERFILE} sets ${variable}, which not every service reads`);
    }
    for (const variable of [...Object.keys(image.env), ...image.args].filter((v) => /PASSWORD|SECRET|SIGNING_KEY|DATABASE_URL|TOKEN/.test(v))) {
      problems.push(`${DOCKERFILE} bakes ${variable} into the image: it must come from the environment at run time`);
    }
    for (const source of image.copies.filter((c) => /deploy|\.env|keys/.test(c))) problems.push(`${DOCKERFILE} copies ${source} into the image`);
    expectNoProblems(problems);
  });
});

describe(COMPOSE_FILE, () => {
  const compose = readYaml(COMPOSE_FILE)[0];

  it('runs the same services as deploy/k8s, each built from the Dockerfile for its own port and image name', () => {
    const tags = Object.fromEntries((applied.body.images as Yaml[]).map((i) => [i.name, i.newTag]));
    const problems = [
      ...difference(COMPOSE_FILE, [...SERVICE_NAMES, 'kafka', 'postgres'].sort(), Object.keys(compose.services).sort()).map((p) => p.replace(', which the code does not give', ', which is no service of the code')),
      ...SERVICE_NAMES.flatMap((name) => {
        const entry = compose.services[name];
        const port = defaults(name).port;
        const where = `${COMPOSE_FILE}: ${name}`;
        if (!entry) return [];
        return [
          ...(entry.build?.dockerfile === DOCKERFILE && entry.build?.args?.SERVICE === name ? [] : [`${where} must build ${DOCKERFILE} with SERVICE ${name}`]),
          ...(String(entry.build?.args?.PORT) === String(port) ? [] : [`${where} builds with PORT ${entry.build?.args?.PORT}; the service listens on ${port}`]),
          ...(JSON.stringify(entry.ports) === JSON.stringify([`127.0.0.1:${port}:${port}`]) ? [] : [`${where} publishes ${entry.ports}, not 127.0.0.1:${port}:${port}`]),
          ...(entry.image === `interlink/${name}:${tags[`interlink/${name}`]}` ? [] : [`${where} must name its image interlink/${name}:${tags[`interlink/${name}`]}, as ${applied.file} does`]),
        ];
      }),
    ];
    expectNoProblems(problems);
  });

  it('gives each service only variables its configuration reads, and an environment it accepts', () => {
    const problems = SERVICE_NAMES.flatMap((name) => {
      const env: Record<string, string> = Object.fromEntries(Object.entries(compose.services[name]?.environment ?? {}).map(([k, v]) => [k, String(v)]));
      const where = `${COMPOSE_FILE}: ${name}`;
      const read = variablesRead(definition(name), env);
      const unread = Object.keys(env).filter((v) => !read.includes(v)).map((v) => `${where} sets ${v}, which services/${name} never reads`);
      try {
        const profile = definition(name).profile({ ...dockerImage({ SERVICE: name, PORT: String(defaults(name).port) }).env, ...env });
        return [
          ...unread,
          ...(profile.agencyId === defaults(name).agencyId ? [] : [`${where} runs as ${profile.agencyId}, not the default ${defaults(name).agencyId}`]),
          ...(profile.port === defaults(name).port ? [] : [`${where} listens on ${profile.port}`]),
        ];
      } catch (error) {
        return [...unread, `${where}: the service would refuse its environment: ${(error as Error).message}`];
      }
    });
    expectNoProblems(problems);
  });
});
