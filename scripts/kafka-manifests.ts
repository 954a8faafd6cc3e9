// npm run k8s:kafka: writes deploy/k8s/kafka/topics.yaml and users.yaml from the code.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { ROOT } from './deploy/manifests';
import { kafkaManifests } from './deploy/strimzi';

// Building the services' modules logs TypeORM's notice about several default data sources.
Logger.overrideLogger(['error']);
for (const [file, text] of Object.entries(kafkaManifests())) {
  writeFileSync(path.join(ROOT, file), text);
  console.log(`wrote ${file}`);
}
