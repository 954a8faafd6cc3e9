import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { AclEntry } from '@interlink/messaging';
import { Manifest, Yaml } from '../../scripts/deploy/manifests';
import { kafkajsName } from '../../scripts/deploy/strimzi';

/** Fails with every problem found, one a line, each saying what disagrees and where. */
export function expectNoProblems(problems: string[]): void {
  if (problems.length > 0) throw new Error(`${problems.length} disagreement(s):\n- ${problems.join('\n- ')}`);
}

/** One ACL as a comparable line, e.g. `ALLOW User:police TOPIC PREFIXED intel.police. WRITE host *`. */
export type AclLine = string;

export function aclLines(entries: AclEntry[]): AclLine[] {
  return entries
    .map(
      (e) =>
        `${kafkajsName(AclPermissionTypes, e.permissionType)} ${e.principal} ${kafkajsName(AclResourceTypes, e.resourceType)} ${kafkajsName(ResourcePatternTypes, e.resourcePatternType)} ${e.resourceName} ${kafkajsName(AclOperationTypes, e.operation)} host ${e.host}`,
    )
    .sort();
}

/**
 * The ACLs a Strimzi KafkaUser asks for, read as Strimzi documents them (AclRule), not with the
 * generator's mapping: `resource.type` topic/group/cluster/transactionalId, `patternType`
 * literal (the default) or prefix, `operations` in Strimzi's names, `type` allow (the default),
 * `host` `*` (the default). The cluster resource has no name; Kafka calls it kafka-cluster.
 */
export function strimziAclLines(user: Manifest): AclLine[] {
  const resources: Record<string, string> = { topic: 'TOPIC', group: 'GROUP', cluster: 'CLUSTER', transactionalId: 'TRANSACTIONAL_ID' };
  const patterns: Record<string, string> = { literal: 'LITERAL', prefix: 'PREFIXED' };
  const operations: Record<string, string> = {
    Read: 'READ', Write: 'WRITE', Create: 'CREATE', Delete: 'DELETE', Alter: 'ALTER', Describe: 'DESCRIBE', All: 'ALL',
    IdempotentWrite: 'IDEMPOTENT_WRITE', ClusterAction: 'CLUSTER_ACTION', AlterConfigs: 'ALTER_CONFIGS', DescribeConfigs: 'DESCRIBE_CONFIGS',
  };
  return ((user.body.spec?.authorization?.acls ?? []) as Yaml[])
    .flatMap((rule) => {
      const type = resources[rule.resource?.type] ?? `?${rule.resource?.type}`;
      const name = type === 'CLUSTER' ? 'kafka-cluster' : rule.resource?.name;
      const pattern = type === 'CLUSTER' ? 'LITERAL' : (patterns[rule.resource?.patternType ?? 'literal'] ?? `?${rule.resource?.patternType}`);
      const ops: string[] = rule.operations ?? (rule.operation ? [rule.operation] : []);
      return ops.map((op) => `${(rule.type ?? 'allow').toUpperCase()} User:${user.name} ${type} ${pattern} ${name} ${operations[op] ?? `?${op}`} host ${rule.host ?? '*'}`);
    })
    .sort();
}

/** Whether `lines` allow `principal` to do `operation` on a resource, as Kafka's authorizer decides (no DENY rules here). */
export function allows(lines: AclLine[], principal: string, resource: string, name: string, operation: string): boolean {
  return lines.some((line) => {
    const [permission, who, type, pattern, pattern_name, op] = line.split(' ');
    const named = pattern === 'PREFIXED' ? name.startsWith(pattern_name) : pattern_name === name || pattern_name === '*';
    // Kafka: READ, WRITE, DELETE and ALTER imply DESCRIBE.
    const implied = op === operation || op === 'ALL' || (operation === 'DESCRIBE' && ['READ', 'WRITE', 'DELETE', 'ALTER'].includes(op));
    return permission === 'ALLOW' && who === principal && type === resource && named && implied;
  });
}

/** What is in `actual` and not in `expected`, and the other way round, as sentences about `where`. */
export function difference(where: string, expected: string[], actual: string[]): string[] {
  const missing = expected.filter((line) => !actual.includes(line));
  const extra = actual.filter((line) => !expected.includes(line));
  return [...missing.map((line) => `${where} lacks ${line}`), ...extra.map((line) => `${where} has ${line}, which the code does not give`)];
}
