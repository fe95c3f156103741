/**
 * Which service a request is for: awsJson by `X-Amz-Target`, the query
 * protocol by a form-encoded `Action=`, restJson1/restXml by each service's
 * `matches()` (S3 last: path-style S3 matches almost any path).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { JsonProtocolService, ProtocolService, QueryProtocolService, RestProtocolService } from './service.ts';

export type Route =
  | { kind: 'json'; service: JsonProtocolService | undefined; target: string; prefix: string; operation: string; jsonVersion: '1.0' | '1.1' }
  | { kind: 'query'; service: QueryProtocolService }
  | { kind: 'rest'; service: RestProtocolService }
  | { kind: 'none' };

export interface RoutableRequest {
  method: string;
  path: string;
  host: string;
  headers: IncomingHttpHeaders;
  signingService?: string;
}

export class Router {
  private readonly json = new Map<string, JsonProtocolService>();
  private readonly query: QueryProtocolService[] = [];
  private readonly rest: RestProtocolService[] = [];
  private readonly restXml: RestProtocolService[] = [];

  constructor(services: ProtocolService[]) {
    for (const s of services) {
      if (s.kind === 'json') this.json.set(s.targetPrefix, s);
      else if (s.kind === 'query') this.query.push(s);
      else if (s.protocol === 'restXml') this.restXml.push(s);
      else this.rest.push(s);
    }
  }

  route(req: RoutableRequest): Route {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target.length > 0) {
      const dot = target.lastIndexOf('.');
      const prefix = dot > 0 ? target.slice(0, dot) : target;
      const operation = dot > 0 ? target.slice(dot + 1) : '';
      const service = this.json.get(prefix);
      const ct = String(req.headers['content-type'] ?? '');
      const jsonVersion = service?.jsonVersion ?? (ct.includes('1.0') ? '1.0' : '1.1');
      return { kind: 'json', service, target, prefix, operation, jsonVersion };
    }
    // Signed for S3: do not let any other service claim it.
    const s3First = req.signingService === 's3';
    if (!s3First) {
      for (const s of this.rest) if (s.matches(req)) return { kind: 'rest', service: s };
      const ct = String(req.headers['content-type'] ?? '').toLowerCase();
      if (this.query.length > 0 && ct.startsWith('application/x-www-form-urlencoded') && (req.method === 'POST' || req.method === 'GET')) {
        const bySigning = this.query.find((q) => q.signingName === req.signingService);
        const service = bySigning ?? (req.signingService === undefined || this.query.length === 1 ? this.query[0] : undefined);
        if (service) return { kind: 'query', service };
      }
    }
    for (const s of this.restXml) if (s.matches(req)) return { kind: 'rest', service: s };
    if (s3First) for (const s of this.rest) if (s.matches(req)) return { kind: 'rest', service: s };
    return { kind: 'none' };
  }
}
