import 'reflect-metadata';
import { DynamicModule, RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { AgencyRole } from '@interlink/contracts';
import { AGENCY_POLICIES, AgencyConfig, AuthSettings, Policy, SigningSettings, agencyConfigFromEnv, partnerIds } from '@interlink/agency-kit';
import { KafkaSettings, TopicSettings, auditTopicMatcher } from '@interlink/messaging';
import { AuditModule } from '../../services/audit/src/audit.module';
import { auditConfigFromEnv } from '../../services/audit/src/config';
import { ForeignMinistryModule } from '../../services/foreign-ministry/src/app.module';
import { ImmigrationModule } from '../../services/immigration/src/app.module';
import { PoliceModule } from '../../services/police/src/app.module';
import { TaskForceConsoleModule } from '../../services/task-force-console/src/app.module';
import { consoleConfigFromEnv } from '../../services/task-force-console/src/config';
import { consumerName } from '../../services/task-force-console/src/intake/intake.runtime';

export const SERVICE_NAMES = ['police', 'immigration', 'foreign-ministry', 'task-force-console', 'audit'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** What deploying a service needs to know of it, as its own configuration code reads an environment. */
export interface ServiceProfile {
  name: ServiceName;
  /** The role whose event types it publishes; the auditors and the task force only receive. */
  publishes?: AgencyRole;
  agencyId: string;
  host: string;
  port: number;
  databaseUrl: string;
  kafka: KafkaSettings;
  /** Agencies whose `intel.<sender>.<agencyId>` and `keys.<sender>.<agencyId>` it reads. */
  senders: string[];
  /** Its event consumer (the Kafka group), whose dead letters go to `dlq.<consumer>`. */
  consumer?: string;
  /** How it creates missing topics (the audit service's own settings are fixed in its code). */
  topics?: TopicSettings;
  /** The key it signs its log with (agency services). */
  signing?: SigningSettings;
  /** The auditors, to whom an agency's relay sends its whole log. */
  auditAgencyId?: string;
  /** The recipients an agency's relay sends personal data to, sealed; the others get it redacted. */
  personalDataRecipients?: string[];
  /** Where it finds its partners' public keys: `<dir>/<agency id>/<key id>.pub.pem`. */
  trustedKeysDir: string;
  auth: AuthSettings;
}

export interface ServiceDefinition {
  name: ServiceName;
  /** Reads `env` with the service's configuration code; throws its ConfigError naming the variable. */
  profile(env: NodeJS.ProcessEnv): ServiceProfile;
  /** The service's root module for `env`, built but not started: its controllers and policies. */
  module(env: NodeJS.ProcessEnv): DynamicModule;
}

/** The settings every service has, under the same names in each configuration. */
function common(name: ServiceName, config: Pick<ServiceProfile, 'agencyId' | 'host' | 'port' | 'databaseUrl' | 'kafka' | 'auth'>) {
  const { agencyId, host, port, databaseUrl, kafka, auth } = config;
  return { name, agencyId, host, port, databaseUrl, kafka, auth };
}

function agencyService(role: Extract<AgencyRole, 'police' | 'immigration' | 'foreign-ministry'>, root: { forRoot(config?: AgencyConfig): DynamicModule }): ServiceDefinition {
  return {
    name: role,
    profile(env) {
      const config = agencyConfigFromEnv(role, env);
      return {
        ...common(role, config),
        publishes: role,
        senders: partnerIds(config),
        // As AgencyRuntime names its policy consumer.
        consumer: `${config.agencyId}-policies`,
        // As AgencyRuntime configures its TopicManager.
        topics: {
          partitions: config.topicPartitions,
          replicationFactor: config.topicReplicationFactor,
          singlePartition: auditTopicMatcher(config.auditAgencyId),
          keyTopicCompactionLagMs: config.keyTopicCompactionLagMs,
        },
        signing: config.signing,
        auditAgencyId: config.auditAgencyId,
        personalDataRecipients: config.personalDataRecipients,
        trustedKeysDir: config.signing.trustedKeysDir,
      };
    },
    module: (env) => root.forRoot(agencyConfigFromEnv(role, env)),
  };
}

export const SERVICES: readonly ServiceDefinition[] = [
  agencyService('police', PoliceModule),
  agencyService('immigration', ImmigrationModule),
  agencyService('foreign-ministry', ForeignMinistryModule),
  {
    name: 'task-force-console',
    profile(env) {
      const config = consoleConfigFromEnv(env);
      return {
        ...common('task-force-console', config),
        senders: config.senders.map((s) => s.agencyId),
        consumer: consumerName(config.agencyId),
        // As IntakeRuntime configures its TopicManager.
        topics: { partitions: config.topicPartitions, replicationFactor: config.topicReplicationFactor, keyTopicCompactionLagMs: config.keyTopicCompactionLagMs },
        trustedKeysDir: config.trustedKeysDir,
      };
    },
    module: (env) => TaskForceConsoleModule.forRoot(consoleConfigFromEnv(env)),
  },
  {
    name: 'audit',
    profile(env) {
      const config = auditConfigFromEnv(env);
      return { ...common('audit', config), senders: config.audited.map((a) => a.agencyId), trustedKeysDir: config.trustedKeysDir };
    },
    module: (env) => AuditModule.forRoot(auditConfigFromEnv(env)),
  },
];

/**
 * The environment variables a service's configuration code reads, found by running it on `env`
 * and noting every name it asks for. On an empty environment every fallback is taken, so every
 * name is asked for; a non-empty one adds any name read only when another is set.
 */
export function variablesRead(definition: ServiceDefinition, env: NodeJS.ProcessEnv = {}): string[] {
  const names = new Set<string>();
  const recording = (base: NodeJS.ProcessEnv) =>
    new Proxy(
      { ...base },
      {
        get(target, name) {
          if (typeof name === 'string') names.add(name);
          return Reflect.get(target, name);
        },
      },
    );
  definition.profile(recording({}));
  if (Object.keys(env).length > 0) definition.profile(recording(env));
  return [...names].sort();
}

/** Every controller and provider of a module tree, as Nest would collect them. */
function walk(root: DynamicModule): { controllers: Type[]; providers: unknown[] } {
  const controllers: Type[] = [];
  const providers: unknown[] = [];
  const seen = new Set<unknown>();
  const visit = (entry: unknown) => {
    if (!entry || seen.has(entry)) return;
    seen.add(entry);
    const dynamic = typeof entry === 'object' && 'module' in (entry as object) ? (entry as DynamicModule) : undefined;
    const type = (dynamic?.module ?? entry) as Type;
    controllers.push(...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, type) as Type[]) ?? []), ...(dynamic?.controllers ?? []));
    providers.push(...((Reflect.getMetadata(MODULE_METADATA.PROVIDERS, type) as unknown[]) ?? []), ...(dynamic?.providers ?? []));
    for (const imported of [...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, type) as unknown[]) ?? []), ...(dynamic?.imports ?? [])]) visit(imported);
  };
  visit(root);
  return { controllers: [...new Set(controllers)], providers };
}

/** The HTTP routes of a module tree, e.g. `GET /health/ready`. */
export function routesOf(root: DynamicModule): string[] {
  const join = (...parts: string[]) => '/' + parts.flatMap((p) => p.split('/')).filter(Boolean).join('/');
  const routes: string[] = [];
  for (const controller of walk(root).controllers) {
    const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined) ?? '/';
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[name] as unknown;
      if (typeof handler !== 'function') continue;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (path === undefined || method === undefined) continue;
      for (const b of [base].flat()) for (const p of [path].flat()) routes.push(`${RequestMethod[method]} ${join(b, p)}`);
    }
  }
  return [...new Set(routes)].sort();
}

/** The policies an agency service applies to its partners' events, by name, with the event types each acts on. */
export function policiesOf(root: DynamicModule): { name: string; types: string[] }[] {
  return walk(root)
    .providers.filter((p): p is { provide: unknown; useValue: Policy[] } => typeof p === 'object' && p !== null && (p as { provide?: unknown }).provide === AGENCY_POLICIES)
    .flatMap((p) => p.useValue)
    .map((policy) => ({ name: policy.name, types: Object.keys(policy.on).sort() }));
}
