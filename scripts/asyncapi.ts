// npm run asyncapi: writes docs/asyncapi.yaml, the AsyncAPI 3.0 document of the network, from the code.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { ASYNCAPI_FILE, renderAsyncapi } from './deploy/asyncapi';
import { ROOT } from './deploy/manifests';

// Building the services' modules (for their policies) logs TypeORM's notice about several default data sources.
Logger.overrideLogger(['error']);
writeFileSync(path.join(ROOT, ASYNCAPI_FILE), renderAsyncapi());
console.log(`wrote ${ASYNCAPI_FILE}`);
