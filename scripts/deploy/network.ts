import { ITopicConfig } from 'kafkajs';
import { keyTopicFor, topicFor } from '@interlink/contracts';
import { AclEntry, TopicSettings, agencyAcls, topicSpec } from '@interlink/messaging';
import { Manifest, TOPICS_FILE, USERS_FILE, containerEnvironment, dockerImage, find, inputs, kustomization } from './manifests';
import { SERVICES, ServiceProfile } from './services';

/**
 * The topics a network of services uses: each reads `intel.<sender>.<self>` and
 * `keys.<sender>.<self>` of its senders, and its consumer parks what it cannot apply in
 * `dlq.<consumer>`. Every topic a relay publishes to is one its recipient reads.
 */
export function networkTopics(profiles: ServiceProfile[]): string[] {
  const names = new Set<string>();
  for (const profile of profiles) {
    for (const sender of profile.senders.filter((s) => s !== profile.agencyId)) {
      names.add(topicFor(sender, profile.agencyId));
      names.add(keyTopicFor(sender, profile.agencyId));
    }
    // EventConsumer's default dead-letter topic.
    if (profile.consumer) names.add(`dlq.${profile.consumer}`);
  }
  return [...names].sort();
}

/**
 * How the network's topics are created: as the agency services create them (the relays make
 * most of them, the auditors' feeds included). They must all be configured alike.
 */
export function networkTopicSettings(profiles: ServiceProfile[]): TopicSettings {
  const agencies = profiles.filter((p) => p.publishes && p.topics);
  const describe = (p: ServiceProfile) =>
    `${p.topics!.partitions} partitions, replication factor ${p.topics!.replicationFactor}, keys compacted after ${p.topics!.keyTopicCompactionLagMs} ms`;
  const differing = agencies.filter((p) => describe(p) !== describe(agencies[0]));
  if (agencies.length === 0 || differing.length > 0) {
    throw new Error(`the agency services must create topics alike: ${agencies.map((p) => `${p.name} ${describe(p)}`).join('; ')}`);
  }
  return agencies[0].topics!;
}

export function networkTopicSpecs(profiles: ServiceProfile[]): ITopicConfig[] {
  const settings = networkTopicSettings(profiles);
  return networkTopics(profiles).map((topic) => topicSpec(topic, settings));
}

/** Each service's Kafka user, named after its agency, allowed exactly what acls.ts grants it. */
export function networkUsers(profiles: ServiceProfile[]): { agencyId: string; acls: AclEntry[] }[] {
  return profiles.map((p) => ({ agencyId: p.agencyId, acls: agencyAcls(p.agencyId, p.senders) }));
}

/** The one bootstrap address every service is given (KAFKA_BROKERS). */
export function networkBrokers(profiles: ServiceProfile[]): string[] {
  const all = [...new Set(profiles.map((p) => p.kafka.brokers.join(',')))];
  if (all.length !== 1) throw new Error(`the services are given different KAFKA_BROKERS: ${all.join(' / ')}`);
  return all[0].split(',');
}

/** The container environment of each service as deploy/k8s runs it, with what could not be resolved. */
export function deployedEnvironments(): { name: string; deployment?: Manifest; env: Record<string, string>; set: string[]; problems: string[] }[] {
  // Not the generated Kafka manifests: they are made from these environments.
  const { manifests } = kustomization([TOPICS_FILE, USERS_FILE]);
  const sources = [...manifests, ...inputs()];
  return SERVICES.map((definition) => {
    const deployment = find(manifests, 'Deployment', definition.name);
    if (!deployment) return { name: definition.name, env: {}, set: [], problems: [`deploy/k8s has no Deployment ${definition.name}`] };
    // The image is built with the service's own default port (docker-compose.yml's build args).
    const image = dockerImage({ SERVICE: definition.name, PORT: String(definition.profile({}).port) }).env;
    return { name: definition.name, deployment, ...containerEnvironment(deployment, image, sources) };
  });
}

/** The services as deploy/k8s deploys them: each Deployment's environment read by the service's own configuration code. */
export function deployedProfiles(): ServiceProfile[] {
  const environments = deployedEnvironments();
  const problems = environments.flatMap((e) => e.problems);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return environments.map((e) => SERVICES.find((s) => s.name === e.name)!.profile(e.env));
}
