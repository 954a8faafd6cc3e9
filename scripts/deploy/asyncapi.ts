import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ITopicConfig } from 'kafkajs';
import { stringify } from 'yaml';
import { EventDefinition, HANDLING, PersonalDataSpec, TLP, dataschemaFor, envelopeSchema, interlinkRegistry, recipientsOf } from '@interlink/contracts';
import { CLOUDEVENTS_CONTENT_TYPE, topicSpec } from '@interlink/messaging';
import { DATA_KEY_BYTES } from '@interlink/security';
import { ROOT } from './manifests';
import { deployedEnvironments, deployedProfiles, networkBrokers, networkTopicSettings, networkTopicSpecs } from './network';
import { SERVICES, ServiceProfile, policiesOf } from './services';
import { kafkaCluster } from './strimzi';

export const ASYNCAPI_FILE = 'docs/asyncapi.yaml';
const KAFKA_BINDING = '0.5.0';

type Schema = Record<string, unknown>;
const ref = (pointer: string) => ({ $ref: pointer });

/** What each envelope attribute means (its constraints are envelopeSchema's); CloudEvents' own attributes first. */
export const ENVELOPE_ATTRIBUTES: Record<string, { cloudEvents: boolean; description: string }> = {
  specversion: { cloudEvents: true, description: 'CloudEvents version.' },
  id: { cloudEvents: true, description: 'Event id (UUIDv7); a retried append or a republished batch repeats it, and consumers skip an id they have applied.' },
  source: { cloudEvents: true, description: '`/agencies/<agency id>` of the agency that recorded the event; it must be the sender named by the topic.' },
  type: { cloudEvents: true, description: '`intel.<role>.<event-name>`: the event type, named after the role of the agency that publishes it.' },
  dataschema: { cloudEvents: true, description: '`urn:interlink:schema:<type>:v<version>`: the payload schema version `data` conforms to; readers lift older versions.' },
  subject: { cloudEvents: true, description: 'The stream (aggregate) id; also the Kafka message key, so one stream keeps its order on one partition.' },
  time: { cloudEvents: true, description: 'When it happened (RFC 3339).' },
  datacontenttype: { cloudEvents: true, description: 'Always application/json.' },
  data: { cloudEvents: true, description: "The payload (its schema is the message's). Person parts are sealed, redacted or erased (see x-interlink-personal-data)." },
  streamversion: { cloudEvents: false, description: 'Position of the event in its stream, from 1.' },
  sequence: { cloudEvents: false, description: "Position in the agency's published log, from 1 (set by the relay)." },
  correlationid: { cloudEvents: false, description: 'The case thread the event belongs to, across agencies.' },
  causationid: { cloudEvents: false, description: 'The event or command that caused it.' },
  actor: { cloudEvents: false, description: '`<agency id>/<user>` or `<agency id>/policy/<name>`: who issued the command.' },
  classification: { cloudEvents: false, description: 'TLP 2.0 label; with `releasableto` it decides who receives the event (see x-interlink-release).' },
  handling: { cloudEvents: false, description: `Comma-separated handling codes (${HANDLING.join(', ')}).` },
  releasableto: { cloudEvents: false, description: 'Comma-separated agency ids the event may be released to.' },
  prevhash: { cloudEvents: false, description: "Hash of the previous event of the agency's log: the chain." },
  datahash: { cloudEvents: false, description: 'Digest of `data` in its sealed form (so the redacted, erased and stub forms verify too).' },
  hash: { cloudEvents: false, description: "`sha256:` hash of the event's canonical header (every attribute but data, hash, signature, keyid, datawithheld)." },
  signature: { cloudEvents: false, description: "Ed25519 signature of the batch's Merkle root, with this event's inclusion proof." },
  keyid: { cloudEvents: false, description: "Id of the agency's signing key; recipients verify against the public key of that id." },
  traceparent: {
    cloudEvents: true,
    description: 'W3C trace context of the work that recorded the event (CloudEvents distributed-tracing extension); the recipient continues that trace. Covered by the hash. Absent when the work was not traced.',
  },
  tracestate: { cloudEvents: true, description: 'W3C vendor trace state that came with `traceparent`, if any (CloudEvents distributed-tracing extension).' },
};

const envelope: Schema = {
  ...envelopeSchema,
  properties: Object.fromEntries(Object.entries(envelopeSchema.properties).map(([name, schema]) => [name, { ...schema, description: ENVELOPE_ATTRIBUTES[name]?.description }])),
};

/** The auditors' copy of a TLP:RED event: every attribute but `data`, so the chain still verifies. */
const redStub: Schema = {
  ...envelope,
  required: [...envelopeSchema.required.filter((name) => name !== 'data'), 'datawithheld'],
  properties: {
    ...Object.fromEntries(Object.entries(envelope.properties as Schema).filter(([name]) => name !== 'data')),
    datawithheld: { const: 'RED', description: 'The payload was withheld: the event is TLP:RED and the auditors get only its attributes.' },
  },
};

const messageId = (type: string, version: number) => `${type}.v${version}`;
const roleOfType = (type: string) => type.split('.')[1];

function versionsOf(definition: EventDefinition<unknown>): { version: number; schema: object }[] {
  const old = Object.entries(definition.history ?? {}).map(([version, h]) => ({ version: Number(version), schema: h.schema }));
  return [...old, { version: definition.version, schema: definition.schema }].sort((a, b) => a.version - b.version);
}

/** A topic's Kafka channel binding: its partitions, replicas and the configuration TopicManager gives it. */
function channelBinding(spec: ITopicConfig): Schema {
  const configuration = Object.fromEntries(
    (spec.configEntries ?? []).map(({ name, value }) => [name, name === 'cleanup.policy' ? value.split(',') : /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value]),
  );
  return {
    kafka: {
      partitions: spec.numPartitions,
      replicas: spec.replicationFactor,
      ...(spec.configEntries ? { topicConfiguration: configuration } : {}),
      bindingVersion: KAFKA_BINDING,
    },
  };
}

/** What each TLP label releases to, as recipientsOf decides it. */
function releaseRule(): Record<string, string> {
  return Object.fromEntries(
    TLP.map((label) => [
      label,
      recipientsOf('publisher', { classification: label, releasableTo: ['publisher', 'partner'] }).length > 0
        ? 'the agencies in releasableto (never back to the publisher), and the auditors'
        : 'no partner; the auditors get a stub without data',
    ]),
  );
}

function description(): string {
  return [
    'How the agencies of Interlink share intelligence over Kafka. Generated by `npm run asyncapi` from the event registry (libs/contracts), ' +
      'the topic, relay and consumer code (libs/messaging) and the network as deploy/k8s configures it; tests/deploy/asyncapi.spec.ts fails ' +
      'when this file differs from the code. Do not edit it.',
    "Every event is a CloudEvents 1.0 event in structured JSON mode (the Kafka value), with Interlink's extension attributes. The relay of " +
      "each agency publishes its log in order to `intel.<agency>.<recipient>`, one topic per recipient the event's marking (classification " +
      'and releasableto, chosen by the publishing service when it records the event) allows, keyed by stream id, and the whole log to the ' +
      'auditors. Events are hash-chained and each batch is signed (Ed25519); consumers verify the seal, the key and that the sender matches ' +
      'the topic, apply each event once, and park what they cannot apply in `dlq.<consumer>` with the reason.',
    "Personal data (x-interlink-personal-data of a message) is sealed per person record with AES-256-GCM: the part's personal fields are " +
      'replaced by `{ref, sealed}`. Recipients entitled to personal data get the record keys on the compacted topic ' +
      '`keys.<agency>.<recipient>` before the events that need them; the others get the part redacted to `{withheld: "redacted", ref, ' +
      'digest}`. Erasure destroys the key and sends a tombstone; every copy then reads as `{withheld: "erased", ref, digest}`. All three ' +
      'forms verify against the same signature.',
  ].join('\n\n');
}

/** The AsyncAPI 3.0 document of the network, from the code. */
export function asyncapiDocument(): Schema {
  const registry = interlinkRegistry();
  const definitions = registry.types().map((type) => registry.definition(type));
  const profiles = deployedProfiles();
  const environments = deployedEnvironments();
  const settings = networkTopicSettings(profiles);
  const topics = networkTopicSpecs(profiles);
  const agencyIds = profiles.map((p) => p.agencyId);
  const profileOf = (agencyId: string) => profiles.find((p) => p.agencyId === agencyId)!;
  const packageVersion = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
  const policies = (p: ServiceProfile) => policiesOf(SERVICES.find((s) => s.name === p.name)!.module(environments.find((e) => e.name === p.name)!.env));
  const whatReceiverDoes = (kind: string, sender: ServiceProfile, receiver: ServiceProfile): string => {
    if (kind === 'keys') return `${receiver.agencyId} stores the keys ${sender.agencyId} gives it and destroys those ${sender.agencyId} erases.`;
    if (receiver.agencyId === sender.auditAgencyId) return 'The auditors archive every record as it arrived, then verify the chain.';
    if (!receiver.publishes) return `${receiver.agencyId} verifies each event and records it in its feed, dashboards and dossiers.`;
    const acting = policies(receiver)
      .map((p) => ({ name: p.name, types: p.types.filter((t) => roleOfType(t) === sender.publishes) }))
      .filter((p) => p.types.length > 0);
    const acts = acting.length > 0 ? `its policies act on ${acting.map((p) => `${p.types.join(', ')} (${p.name})`).join('; ')}` : 'no policy acts on them';
    return `${receiver.agencyId} verifies each event and records it once in its inbox; ${acts}.`;
  };

  const schemas: Record<string, Schema> = { cloudEvent: envelope, redStub, streamId: { type: 'string', minLength: 1, maxLength: 200, description: 'The stream id (the envelope subject).' } };
  const messages: Record<string, Schema> = {};
  for (const definition of definitions) {
    const publisher = roleOfType(definition.type);
    // The agencies of the network that publish this type, and whom they may send it to.
    const publishers = profiles.filter((p) => p.publishes === publisher);
    const recipients = [...new Set(topics.map((t) => t.topic.split('.')).filter(([kind, from]) => kind === 'intel' && publishers.some((p) => p.agencyId === from)).map(([, , to]) => to))].sort();
    const redactedFor = recipients.filter((to) => publishers.some((p) => to !== p.auditAgencyId && !p.personalDataRecipients?.includes(to)));
    for (const { version, schema } of versionsOf(definition)) {
      const id = messageId(definition.type, version);
      const current = version === definition.version;
      schemas[`${id}.data`] = schema as Schema;
      messages[id] = {
        name: definition.type,
        title: `${publisher}: ${definition.type.split('.')[2].replace(/-/g, ' ')} (v${version})`,
        summary: `${definition.type}, payload version ${version}${current ? '' : ` (older: readers lift it to v${definition.version})`}.`,
        contentType: 'application/cloudevents+json',
        headers: ref('#/components/schemas/kafkaHeaders'),
        payload: {
          allOf: [
            ref('#/components/schemas/cloudEvent'),
            { type: 'object', properties: { type: { const: definition.type }, dataschema: { const: dataschemaFor(definition.type, version) }, data: ref(`#/components/schemas/${id}.data`) } },
          ],
        },
        correlationId: ref('#/components/correlationIds/caseThread'),
        bindings: { kafka: { key: ref('#/components/schemas/streamId'), bindingVersion: KAFKA_BINDING } },
        'x-interlink-publisher': publisher,
        'x-interlink-release': {
          publishedBy: publishers.map((p) => p.agencyId),
          mayGoTo: recipients,
          ...(current && definition.personal && redactedFor.length > 0 ? { personalDataRedactedFor: redactedFor } : {}),
        },
        ...(current && definition.personal ? { 'x-interlink-personal-data': definition.personal.map((spec: PersonalDataSpec) => ({ at: spec.at, fields: [...spec.fields], recordId: spec.ref })) } : {}),
      };
    }
  }
  messages.redStub = {
    name: 'red-stub',
    title: 'auditors: stub of a TLP:RED event',
    summary: "What the auditors receive in place of a TLP:RED event: its attributes without data; the chain still verifies.",
    contentType: 'application/cloudevents+json',
    headers: ref('#/components/schemas/kafkaHeaders'),
    payload: ref('#/components/schemas/redStub'),
    correlationId: ref('#/components/correlationIds/caseThread'),
    bindings: { kafka: { key: ref('#/components/schemas/streamId'), bindingVersion: KAFKA_BINDING } },
  };
  const recordId = { type: 'string', format: 'uuid', description: 'The person record whose key it is (the ref of its sealed parts).' };
  messages.dataKey = {
    name: 'data-key',
    title: 'the data key of a person record',
    summary: "A record's AES-256 key, for a recipient entitled to its personal data; keyed by the record's id, so the topic keeps the latest.",
    contentType: 'application/json',
    payload: {
      type: 'object',
      required: ['ref', 'key'],
      additionalProperties: false,
      properties: { ref: recordId, key: { type: 'string', minLength: 4 * Math.ceil(DATA_KEY_BYTES / 3), maxLength: 4 * Math.ceil(DATA_KEY_BYTES / 3), description: `base64 of the ${DATA_KEY_BYTES}-byte key.` } },
    },
    bindings: { kafka: { key: recordId, bindingVersion: KAFKA_BINDING } },
  };
  messages.dataKeyErased = {
    name: 'data-key-erased',
    title: 'tombstone: a person record was erased',
    summary: 'A null value under the record id: the key is destroyed; compaction removes the earlier key from the topic.',
    payload: { type: 'null' },
    bindings: { kafka: { key: recordId, bindingVersion: KAFKA_BINDING } },
  };
  messages.deadLetter = {
    name: 'dead-letter',
    title: 'a parked message',
    summary: 'A copy of a message the consumer could not read or apply, as it arrived (key and value), with why and where from. It is parked in the consumer\'s database too.',
    headers: {
      type: 'object',
      // As EventConsumer writes them (libs/messaging/src/consumer.ts), besides the message's own headers.
      properties: {
        'interlink-parked-reason': { type: 'string' },
        'interlink-original-topic': { type: 'string' },
        'interlink-original-partition': { type: 'string' },
        'interlink-original-offset': { type: 'string' },
        'interlink-consumer': { type: 'string' },
      },
    },
    payload: { description: 'The original message value, unchanged (usually a CloudEvent, but it may be anything).' },
  };

  const eventMessages = (role: string, onlyCurrent: boolean) =>
    definitions
      .filter((d) => roleOfType(d.type) === role)
      .flatMap((d) => versionsOf(d).filter((v) => !onlyCurrent || v.version === d.version).map((v) => messageId(d.type, v.version)));
  const messageRefs = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, ref(`#/components/messages/${id}`)]));

  const channels: Record<string, Schema> = {
    intel: {
      address: 'intel.{from}.{to}',
      title: 'What an agency releases to another',
      description: "One topic per sender and recipient. The auditors' copy of a log (`intel.<agency>.<auditors>`) is one partition, so it keeps the log's order.",
      parameters: { from: ref('#/components/parameters/from'), to: ref('#/components/parameters/to') },
      messages: messageRefs([...definitions.flatMap((d) => versionsOf(d).map((v) => messageId(d.type, v.version))), 'redStub']),
      bindings: channelBinding(topicSpec('intel.{from}.{to}', settings)),
    },
    keys: {
      address: 'keys.{from}.{to}',
      title: 'The data keys a sender gives a recipient',
      description: 'Compacted: the latest message per record id stays, and an erased key leaves the topic once the segment holding it is compacted.',
      parameters: { from: ref('#/components/parameters/from'), to: ref('#/components/parameters/to') },
      messages: messageRefs(['dataKey', 'dataKeyErased']),
      bindings: channelBinding(topicSpec('keys.{from}.{to}', settings)),
    },
    deadLetters: {
      address: 'dlq.{consumer}',
      title: "A consumer's dead letters",
      parameters: { consumer: ref('#/components/parameters/consumer') },
      messages: messageRefs(['deadLetter']),
      bindings: channelBinding(topicSpec('dlq.{consumer}', settings)),
    },
  };
  const operations: Record<string, Schema> = {};
  const channelMessages = (topic: string, onlyCurrent: boolean): string[] => {
    const [kind, from, to] = topic.split('.');
    if (kind === 'keys') return ['dataKey', 'dataKeyErased'];
    if (kind === 'dlq') return ['deadLetter'];
    return [...eventMessages(profileOf(from).publishes!, onlyCurrent), ...(to === profileOf(from).auditAgencyId ? ['redStub'] : [])];
  };
  for (const spec of topics) {
    const { topic } = spec;
    const [kind, from, to] = topic.split('.');
    channels[topic] = { address: topic, messages: messageRefs(channelMessages(topic, false)), bindings: channelBinding(spec) };
    const operation = (action: 'send' | 'receive', agency: string, summary: string, ids: string[], text?: string): Schema => ({
      action,
      channel: ref(`#/channels/${topic}`),
      summary,
      ...(text ? { description: text } : {}),
      tags: [{ name: agency }],
      messages: ids.map((id) => ref(`#/channels/${topic}/messages/${id}`)),
    });
    if (kind === 'dlq') {
      const owner = profiles.find((p) => `dlq.${p.consumer}` === topic)!;
      operations[`${topic}.send`] = operation('send', owner.agencyId, `${owner.name} parks what its consumer ${owner.consumer} cannot read or apply`, channelMessages(topic, false));
      continue;
    }
    operations[`${topic}.send`] = operation('send', from, `${from} publishes to ${to}`, channelMessages(topic, true));
    operations[`${topic}.receive`] = operation('receive', to, `${to} reads what ${from} releases to it`, channelMessages(topic, false), whatReceiverDoes(kind, profileOf(from), profileOf(to)));
  }

  const kafka = kafkaCluster();
  return {
    asyncapi: '3.0.0',
    id: 'urn:interlink:asyncapi',
    info: { title: 'Interlink', version: packageVersion, description: description() },
    defaultContentType: 'application/cloudevents+json',
    servers: {
      kubernetes: {
        host: networkBrokers(profiles).join(','),
        protocol: 'kafka',
        protocolVersion: String(kafka.spec.kafka.version),
        description: `The Strimzi cluster "${kafka.metadata.name}" of deploy/k8s: each agency logs in as its KafkaUser.`,
        security: [ref('#/components/securitySchemes/agencyLogin')],
      },
      local: {
        host: SERVICES[0].profile({}).kafka.brokers.join(','),
        protocol: 'kafka',
        description: 'deploy/local/kafka.sh and docker-compose.yml: no login (KAFKA_SASL=scram turns logins and ACLs on).',
      },
    },
    channels,
    operations,
    components: {
      schemas: {
        ...schemas,
        kafkaHeaders: { type: 'object', required: ['content-type'], properties: { 'content-type': { const: CLOUDEVENTS_CONTENT_TYPE } } },
      },
      messages,
      parameters: {
        from: { description: "The sender's agency id.", examples: agencyIds.filter((id) => profileOf(id).publishes) },
        to: { description: "The recipient's agency id.", examples: agencyIds },
        consumer: { description: 'The consumer (its Kafka group): `<agency id>-<name>`.', examples: profiles.filter((p) => p.consumer).map((p) => p.consumer!) },
      },
      correlationIds: { caseThread: { description: 'The case thread, across agencies.', location: '$message.payload#/correlationid' } },
      securitySchemes: {
        agencyLogin: {
          type: 'scramSha512',
          description: "One Kafka user per agency, named by its agency id, with the ACLs of libs/messaging/src/acls.ts: read what is addressed to it, write its own intel, keys and dlq topics.",
        },
      },
    },
    'x-interlink-release': releaseRule(),
  };
}

export function renderAsyncapi(document: Schema = asyncapiDocument()): string {
  return `# Generated by \`npm run asyncapi\` from the code; do not edit (tests/deploy/asyncapi.spec.ts checks it).\n${stringify(document, { aliasDuplicateObjects: false, lineWidth: 100 })}`;
}
