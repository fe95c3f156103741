/**
 * Lambda's restJson1 routes (method + path → operation), as the SDKs call them.
 * Path parameters arrive URL-decoded (a function ARN's `:` included).
 */
import type { RestRequest, RestResponse } from '../../protocol/service.ts';
import { parseBody, type LambdaOperations } from './operations.ts';

interface Route {
  operation: string;
  method: string;
  pattern: RegExp;
  run(ops: LambdaOperations, req: RestRequest, params: string[]): RestResponse | Promise<RestResponse>;
}

const FN = '([^/]+)';
const q = (req: RestRequest): string | undefined => req.query.get('Qualifier') ?? undefined;

export const ROUTES: Route[] = [
  { operation: 'ListFunctions', method: 'GET', pattern: /^\/2015-03-31\/functions\/?$/, run: (o, r) => o.listFunctions(r.query) },
  { operation: 'CreateFunction', method: 'POST', pattern: /^\/2015-03-31\/functions\/?$/, run: (o, r) => o.createFunction(parseBody(r)) },
  { operation: 'Invoke', method: 'POST', pattern: new RegExp(`^/2015-03-31/functions/${FN}/invocations/?$`), run: (o, r, [n]) => o.invoke(r, n!) },
  { operation: 'InvokeAsync', method: 'POST', pattern: new RegExp(`^/2014-11-13/functions/${FN}/invoke-async/?$`), run: (o, r, [n]) => o.invokeAsync(r, n!) },
  { operation: 'GetFunctionConfiguration', method: 'GET', pattern: new RegExp(`^/2015-03-31/functions/${FN}/configuration/?$`), run: (o, r, [n]) => o.getFunctionConfiguration(n!, q(r)) },
  { operation: 'UpdateFunctionConfiguration', method: 'PUT', pattern: new RegExp(`^/2015-03-31/functions/${FN}/configuration/?$`), run: (o, r, [n]) => o.updateFunctionConfiguration(n!, parseBody(r)) },
  { operation: 'UpdateFunctionCode', method: 'PUT', pattern: new RegExp(`^/2015-03-31/functions/${FN}/code/?$`), run: (o, r, [n]) => o.updateFunctionCode(n!, parseBody(r)) },
  { operation: 'GetFunctionCode', method: 'GET', pattern: new RegExp(`^/2015-03-31/functions/${FN}/code\\.zip$`), run: (o, _r, [n]) => o.getCodeZip(n!) },
  { operation: 'AddPermission', method: 'POST', pattern: new RegExp(`^/2015-03-31/functions/${FN}/policy/?$`), run: (o, r, [n]) => o.addPermission(n!, parseBody(r)) },
  { operation: 'GetPolicy', method: 'GET', pattern: new RegExp(`^/2015-03-31/functions/${FN}/policy/?$`), run: (o, _r, [n]) => o.getPolicy(n!) },
  { operation: 'RemovePermission', method: 'DELETE', pattern: new RegExp(`^/2015-03-31/functions/${FN}/policy/([^/]+)$`), run: (o, _r, [n, s]) => o.removePermission(n!, s!) },
  { operation: 'GetFunction', method: 'GET', pattern: new RegExp(`^/2015-03-31/functions/${FN}/?$`), run: (o, r, [n]) => o.getFunction(n!, q(r)) },
  { operation: 'DeleteFunction', method: 'DELETE', pattern: new RegExp(`^/2015-03-31/functions/${FN}/?$`), run: (o, r, [n]) => o.deleteFunction(n!, q(r)) },
  { operation: 'PutFunctionConcurrency', method: 'PUT', pattern: new RegExp(`^/2017-10-31/functions/${FN}/concurrency/?$`), run: (o, r, [n]) => o.putFunctionConcurrency(n!, parseBody(r)) },
  { operation: 'DeleteFunctionConcurrency', method: 'DELETE', pattern: new RegExp(`^/2017-10-31/functions/${FN}/concurrency/?$`), run: (o, _r, [n]) => o.deleteFunctionConcurrency(n!) },
  { operation: 'GetFunctionConcurrency', method: 'GET', pattern: new RegExp(`^/2019-09-30/functions/${FN}/concurrency/?$`), run: (o, _r, [n]) => o.getFunctionConcurrency(n!) },
  { operation: 'PutFunctionEventInvokeConfig', method: 'PUT', pattern: new RegExp(`^/2019-09-25/functions/${FN}/event-invoke-config/?$`), run: (o, r, [n]) => o.putEventInvokeConfig(n!, parseBody(r)) },
  { operation: 'ListTags', method: 'GET', pattern: /^\/2017-03-31\/tags\/(.+)$/, run: (o, _r, [a]) => o.listTags(a!) },
  { operation: 'TagResource', method: 'POST', pattern: /^\/2017-03-31\/tags\/(.+)$/, run: (o, r, [a]) => o.tagResource(a!, parseBody(r)) },
  { operation: 'UntagResource', method: 'DELETE', pattern: /^\/2017-03-31\/tags\/(.+)$/, run: (o, r, [a]) => o.untagResource(a!, r.query) },
  { operation: 'CreateEventSourceMapping', method: 'POST', pattern: /^\/2015-03-31\/event-source-mappings\/?$/, run: (o, r) => o.mappings.create(parseBody(r)) },
  { operation: 'ListEventSourceMappings', method: 'GET', pattern: /^\/2015-03-31\/event-source-mappings\/?$/, run: (o, r) => o.mappings.list(r.query) },
  { operation: 'GetEventSourceMapping', method: 'GET', pattern: /^\/2015-03-31\/event-source-mappings\/([^/]+)$/, run: (o, _r, [u]) => o.mappings.describe(u!) },
  { operation: 'UpdateEventSourceMapping', method: 'PUT', pattern: /^\/2015-03-31\/event-source-mappings\/([^/]+)$/, run: (o, r, [u]) => o.mappings.update(u!, parseBody(r)) },
  { operation: 'DeleteEventSourceMapping', method: 'DELETE', pattern: /^\/2015-03-31\/event-source-mappings\/([^/]+)$/, run: (o, _r, [u]) => o.mappings.delete(u!) },
  { operation: 'PublishLayerVersion', method: 'POST', pattern: new RegExp(`^/2018-10-31/layers/${FN}/versions/?$`), run: (o, r, [n]) => o.layers.publish(n!, parseBody(r)) },
  { operation: 'ListLayerVersions', method: 'GET', pattern: new RegExp(`^/2018-10-31/layers/${FN}/versions/?$`), run: (o, _r, [n]) => o.layers.listVersions(n!) },
  { operation: 'GetLayerVersion', method: 'GET', pattern: new RegExp(`^/2018-10-31/layers/${FN}/versions/(\\d+)$`), run: (o, _r, [n, v]) => o.layers.get(n!, v!) },
  { operation: 'GetLayerVersionContent', method: 'GET', pattern: new RegExp(`^/2018-10-31/layers/${FN}/versions/(\\d+)/content\\.zip$`), run: (o, _r, [n, v]) => o.layers.content(n!, v!) },
  { operation: 'DeleteLayerVersion', method: 'DELETE', pattern: new RegExp(`^/2018-10-31/layers/${FN}/versions/(\\d+)$`), run: (o, _r, [n, v]) => o.layers.delete(n!, v!) },
  // GetLayerVersionByArn is GET /2018-10-31/layers?find=LayerVersion&Arn=…; ListLayers is the same path without `find`.
  { operation: 'ListLayers', method: 'GET', pattern: /^\/2018-10-31\/layers\/?$/, run: (o, r) => (r.query.get('find') === 'LayerVersion' ? o.layers.getByArn(r.query.get('Arn')) : o.layers.list()) },
  { operation: 'GetAccountSettings', method: 'GET', pattern: /^\/2016-08-19\/account-settings\/?$/, run: (o) => o.getAccountSettings() },
];

/** Path families this service owns (checked before a method-specific match, so a wrong method is still ours). */
export const LAMBDA_PATH = /^\/(2015-03-31\/functions|2015-03-31\/event-source-mappings|2014-11-13\/functions|2017-10-31\/functions|2019-09-30\/functions|2019-09-25\/functions|2017-03-31\/tags|2016-08-19\/account-settings|2018-10-31\/layers)(\/|$)/;

export function findRoute(method: string, path: string): { route: Route; params: string[] } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (m) return { route, params: m.slice(1) };
  }
  return undefined;
}
