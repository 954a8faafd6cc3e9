import { Logger } from '@nestjs/common';
import { Parser } from '@asyncapi/parser';
import { parse } from 'yaml';
import { envelopeSchema, interlinkRegistry } from '@interlink/contracts';
import { ASYNCAPI_FILE, ENVELOPE_ATTRIBUTES, asyncapiDocument, renderAsyncapi } from '../../scripts/deploy/asyncapi';
import { Yaml, readText } from '../../scripts/deploy/manifests';
import { deployedProfiles, networkTopicSpecs } from '../../scripts/deploy/network';
import { expectNoProblems } from './checks';

// Building the services' modules (for their policies) logs TypeORM's notice about several default data sources.
Logger.overrideLogger(['error']);

/** Spectral's severities, as @asyncapi/parser reports them. */
const ERROR = 0;
const WARNING = 1;

async function diagnose(text: string): Promise<string[]> {
  const { diagnostics } = await new Parser().parse(text);
  return diagnostics.filter((d) => d.severity <= WARNING).map((d) => `${d.severity === ERROR ? 'error' : 'warning'} ${d.code} at ${d.path.join('/') || '(root)'}: ${d.message}`);
}

describe(ASYNCAPI_FILE, () => {
  const committed = readText(ASYNCAPI_FILE);
  let document: Yaml;
  beforeAll(() => {
    document = asyncapiDocument();
  });

  it('is what the code gives now', () => {
    if (renderAsyncapi(document) !== committed) throw new Error(`${ASYNCAPI_FILE} differs from the event registry, the messaging code or deploy/k8s: run npm run asyncapi`);
  });

  it('is a valid AsyncAPI 3.0 document, by the official parser, without warnings', async () => {
    expect(parse(committed).asyncapi).toBe('3.0.0');
    expectNoProblems(await diagnose(committed));
  });

  it('is checked by a parser that reports what is wrong', async () => {
    const channel = { address: 'intel.police.immigration', messages: { suspect: { payload: { type: 'nonsense' } } } };
    const broken = { asyncapi: '3.0.0', info: { title: 'Interlink', version: '1' }, channels: { channel }, operations: { send: { action: 'send', channel: { $ref: '#/channels/nowhere' } } } };
    const problems = await diagnose(JSON.stringify(broken));
    expect(problems.filter((p) => p.startsWith('error')).length).toBeGreaterThanOrEqual(2);
  });

  it("has a message for every type and version of the registry, with the registry's payload schema and personal data", () => {
    const registry = interlinkRegistry();
    const problems = registry.types().flatMap((type) => {
      const definition = registry.definition(type);
      const id = `${type}.v${definition.version}`;
      const message = document.components.messages[id];
      if (!message) return [`${ASYNCAPI_FILE} has no message ${id}`];
      const personal = (definition.personal ?? []).map((p) => ({ at: p.at, fields: [...p.fields], recordId: p.ref }));
      return [
        ...(JSON.stringify(document.components.schemas[`${id}.data`]) === JSON.stringify(definition.schema) ? [] : [`${ASYNCAPI_FILE}: the payload of ${id} is not the registry's schema`]),
        ...(JSON.stringify(message['x-interlink-personal-data'] ?? []) === JSON.stringify(personal) ? [] : [`${ASYNCAPI_FILE}: ${id} does not say where its personal data is`]),
      ];
    });
    expectNoProblems(problems);
  });

  it('describes every envelope attribute, and has a channel for every topic of the network with its partitions and replicas', () => {
    const attributes = Object.keys(envelopeSchema.properties).sort();
    const problems = [
      ...(JSON.stringify(Object.keys(ENVELOPE_ATTRIBUTES).sort()) === JSON.stringify(attributes) ? [] : [`ENVELOPE_ATTRIBUTES must describe exactly the envelope's attributes: ${attributes}`]),
      ...networkTopicSpecs(deployedProfiles()).flatMap((spec) => {
        const channel = document.channels[spec.topic];
        if (channel?.address !== spec.topic) return [`${ASYNCAPI_FILE} has no channel for topic ${spec.topic}`];
        const kafka = channel.bindings.kafka;
        return kafka.partitions === spec.numPartitions && kafka.replicas === spec.replicationFactor ? [] : [`${ASYNCAPI_FILE}: channel ${spec.topic} has ${kafka.partitions} partitions and ${kafka.replicas} replicas`];
      }),
    ];
    expectNoProblems(problems);
  });

  it("names the dead-letter headers EventConsumer writes", () => {
    const consumer = readText('libs/messaging/src/consumer.ts');
    const headers = Object.keys(document.components.messages.deadLetter.headers.properties);
    expectNoProblems(headers.filter((h) => !consumer.includes(`'${h}'`)).map((h) => `${ASYNCAPI_FILE}: dead letters have no header ${h} in libs/messaging/src/consumer.ts`));
  });
});
