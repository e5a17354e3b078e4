// The OpenAPI endpoints kubectl reads for explain, validation and apply: /openapi/v2 as JSON
// only (kubectl asks for protobuf first and falls back), the /openapi/v3 index, and one
// document per group-version. The documents themselves are built in ./openapi.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from './registry.js';
import { ApiStatusError } from './status.js';
import { openApiV2, openApiV3Group, openApiV3Index } from './openapi.js';
import { send } from './http-io.js';

export function serveOpenApi(registry: Registry, req: IncomingMessage, res: ServerResponse, path: string): void {
  if (path === '/openapi/v2') {
    // Served as JSON only; kubectl asks for protobuf and falls back to v3 when it cannot parse.
    if ((req.headers.accept ?? '').includes('protobuf'))
      throw new ApiStatusError(406, 'NotAcceptable', 'only application/json is served');
    send(res, 200, openApiV2());
    return;
  }
  if (path === '/openapi/v3' || path === '/openapi/v3/') {
    send(res, 200, openApiV3Index(registry));
    return;
  }
  const doc = openApiV3Group(registry, path);
  if (doc) {
    send(res, 200, doc);
    return;
  }
  throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource');
}
