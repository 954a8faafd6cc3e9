import { IncomingMessage, Server } from 'node:http';
import { Duplex } from 'node:stream';
import { INestApplication, LogLevel, UnsupportedMediaTypeException, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { integer } from './config';
import { interlinkLogger } from './nest-logger';
import { HostileInputPipe } from './hostile-input.pipe';
import { ProblemDetails, ProblemDetailsFilter } from './problem-details.filter';

type EntryModule = Parameters<typeof NestFactory.create>[0];

/** Title and description of a service's OpenAPI document. */
export interface ApiDescription {
  title: string;
  description: string;
}

/** The largest request body any service reads. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Node's HTTP parser refuses some requests before any application code runs (a request line or
 * headers over 16 KB, a NUL in the request line, a header without a colon) and by default answers
 * them with a bare status line. They get a problem+json answer too, like every other error.
 */
function answerMalformedRequests(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason, detail] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'The request line and headers are larger than the 16 KB allowed; send long values in the body.']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'The request did not arrive in time; send it again.']
          : [400, 'Bad Request', 'The request is not well-formed HTTP/1.1 (a control character in the request line, a header without a colon, or contradictory lengths); check the request line and headers.'];
    const problem: ProblemDetails = { type: 'urn:interlink:problem:malformed-http', title: reason, status, detail };
    const body = JSON.stringify(problem);
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/**
 * How long a kept-alive connection may sit idle before the service closes it
 * (HTTP_KEEP_ALIVE_TIMEOUT_MS, default 65 s). A client may send its next request on an idle
 * connection at the moment the server closes it; that request fails without reaching the service
 * ("other side closed"). So the client must be the one to give up an idle connection: the wait is
 * longer than clients' own (4 s for Node's fetch, 60 s for common load balancers). Node's default
 * of 5 s is close to fetch's 4: a client process busy enough to fire its timer a second late sent
 * a command on a connection the police service had just closed (the bench's end-to-end step under
 * load, "fetch failed (UND_ERR_SOCKET)").
 */
export function keepConnectionsAlive(server: Server, env: NodeJS.ProcessEnv = process.env): void {
  const idleMs = integer(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 65_000, 1_000, 240_000);
  server.keepAliveTimeout = idleMs;
  // A request's headers must arrive within this (Node checks it against keepAliveTimeout too).
  server.headersTimeout = idleMs + 1_000;
}

/** A JSON media type, as the body parser reads them: application/json or application/<anything>+json. */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * A body that is not JSON is not parsed, so validation would refuse it field by field as if it
 * were empty; it gets a 415 that says what to send instead.
 */
function refuseBodiesNotJson(request: IncomingMessage, _response: unknown, next: (error?: unknown) => void): void {
  const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
  const type = request.headers['content-type'] ?? '';
  if (hasBody && !JSON_MEDIA_TYPE.test(type)) {
    next(new UnsupportedMediaTypeException(`Send the request body as JSON with Content-Type: application/json; it came as ${type ? JSON.stringify(type.slice(0, 100)) : 'no content type'}.`));
    return;
  }
  next();
}

/**
 * The HTTP side every Interlink service shares, so that all of them refuse hostile input alike:
 * JSON bodies up to 1 MB, other bodies refused (415); text Postgres cannot store and bodies nested deeper than 32 levels
 * refused before validation (HostileInputPipe); strict validation with unknown fields refused;
 * every error as problem+json, including those Node's HTTP parser answers itself; graceful
 * shutdown. Not yet listening; `serveApiDocs` adds the OpenAPI document.
 */
export async function createHttpApp(module: EntryModule, logger?: LogLevel[] | false): Promise<NestExpressApplication> {
  // Levels given in code (tests ask for errors only) win; otherwise LOG_LEVEL decides.
  const app = await NestFactory.create<NestExpressApplication>(module, { logger: interlinkLogger(logger), bodyParser: false });
  app.use(refuseBodiesNotJson);
  app.useBodyParser('json', { limit: BODY_LIMIT_BYTES, strict: true, type: ['application/json', 'application/*+json'] });
  app.useGlobalPipes(
    new HostileInputPipe(),
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      forbidUnknownValues: true,
      stopAtFirstError: false,
    }),
  );
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  answerMalformedRequests(app.getHttpServer());
  keepConnectionsAlive(app.getHttpServer());
  return app;
}

/** The service's OpenAPI document at /docs (JSON at /docs-json), every route behind a bearer token. */
export function serveApiDocs(app: INestApplication, api: ApiDescription): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(api.title)
      .setDescription(api.description)
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "A token of this service's agency from the configured issuer (npm run token in development)" })
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
}
