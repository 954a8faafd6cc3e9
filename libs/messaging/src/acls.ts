import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Admin, ResourcePatternTypes } from 'kafkajs';

export interface AclEntry {
  resourceType: AclResourceTypes;
  resourceName: string;
  resourcePatternType: ResourcePatternTypes;
  principal: string;
  host: string;
  operation: AclOperationTypes;
  permissionType: AclPermissionTypes;
}

/**
 * What one agency's Kafka user may do, and nothing more (the broker denies what no ACL allows):
 * read `intel.<sender>.<self>` and `keys.<sender>.<self>` for each sender it is a recipient of
 * (Kafka patterns are literal or prefixes, so each sender is named), publish and create its own
 * `intel.<self>.*` and `keys.<self>.*` topics and `dlq.<self>-*` dead letters, and use consumer
 * groups `<self>-*`.
 */
export function agencyAcls(agency: string, senders: string[]): AclEntry[] {
  const principal = `User:${agency}`;
  const allow = (resourceType: AclResourceTypes, resourceName: string, resourcePatternType: ResourcePatternTypes, operation: AclOperationTypes): AclEntry => ({
    resourceType,
    resourceName,
    resourcePatternType,
    principal,
    host: '*',
    operation,
    permissionType: AclPermissionTypes.ALLOW,
  });
  const { TOPIC, GROUP, CLUSTER } = AclResourceTypes;
  const { LITERAL, PREFIXED } = ResourcePatternTypes;
  const { READ, WRITE, CREATE, DESCRIBE, IDEMPOTENT_WRITE } = AclOperationTypes;
  return [
    ...senders
      .filter((s) => s !== agency)
      .flatMap((sender) => ['intel', 'keys'].flatMap((kind) => [READ, DESCRIBE].map((op) => allow(TOPIC, `${kind}.${sender}.${agency}`, LITERAL, op)))),
    ...['intel', 'keys'].flatMap((kind) => [WRITE, CREATE, DESCRIBE].map((op) => allow(TOPIC, `${kind}.${agency}.`, PREFIXED, op))),
    ...[WRITE, CREATE, DESCRIBE, READ].map((op) => allow(TOPIC, `dlq.${agency}-`, PREFIXED, op)),
    allow(GROUP, `${agency}-`, PREFIXED, READ),
    allow(CLUSTER, 'kafka-cluster', LITERAL, IDEMPOTENT_WRITE),
  ];
}

/** Grants each agency its ACLs; `agencies` maps an agency id to the senders it receives from. */
export async function applyAgencyAcls(admin: Admin, agencies: Record<string, string[]>): Promise<number> {
  const acl = Object.entries(agencies).flatMap(([agency, senders]) => agencyAcls(agency, senders));
  await admin.createAcls({ acl });
  return acl.length;
}
