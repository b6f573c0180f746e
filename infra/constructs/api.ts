import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Construct } from 'constructs';
import { type ApiFunctionDefinition, functionDefinitions } from '../../shared/definitions/functions.ts';
import { DEFAULT_ROUTE_GROUP } from '../../shared/http/route-match.ts';
import { API_GROUPS, type ApiGroup, type RouteDefinition, routes } from '../../shared/http/routes.ts';
import { HeraldFunction, type HeraldFunctionData } from './herald-function.ts';

export interface HeraldApiProps extends HeraldFunctionData {
  /** Requests per second the stage accepts. @default 5000 */
  readonly rateLimit?: number;
  /** @default 5000 */
  readonly burstLimit?: number;
}

/**
 * The HTTP API: one route per entry of the shared route table, each integrated with its group's
 * function (granted what the function table says), and a `$default` route to the system function
 * for everything else. There is no API Gateway authorizer: the handlers authenticate with the same code
 * locally and on AWS, because an HTTP API cannot shape an authorizer's rejection (a bad key would
 * get 403 `{"message":"Forbidden"}` instead of a 401 problem document) and scopes are per route
 * while authorizer caching is per key. See docs/adr/0002-authentication-in-handlers.md.
 */
export class HeraldApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly functions: Record<ApiGroup, HeraldFunction>;

  constructor(scope: Construct, id: string, props: HeraldApiProps) {
    super(scope, id);
    this.api = new apigw.HttpApi(this, 'http-api', { apiName: 'herald', createDefaultStage: true });
    const stage = this.api.defaultStage?.node.defaultChild as apigw.CfnStage | undefined;
    stage?.addPropertyOverride('DefaultRouteSettings', {
      ThrottlingRateLimit: props.rateLimit ?? 5000,
      ThrottlingBurstLimit: props.burstLimit ?? 5000,
    });
    const functions = {} as Record<ApiGroup, HeraldFunction>;
    for (const group of API_GROUPS) {
      const definition = functionDefinitions.find(
        (fn): fn is ApiFunctionDefinition => fn.kind === 'api' && fn.group === group,
      );
      if (!definition) throw new Error(`the function table has no function for route group '${group}'`);
      functions[group] = new HeraldFunction(this, definition.name, { definition, data: props });
    }
    this.functions = functions;
    const integrations = new Map<ApiGroup, HttpLambdaIntegration>();
    for (const route of routes as readonly RouteDefinition[]) {
      let integration = integrations.get(route.group);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${route.group}-integration`,
          functions[route.group].function,
        );
        integrations.set(route.group, integration);
      }
      this.api.addRoutes({ path: route.path, methods: [apigw.HttpMethod[route.method]], integration });
    }
    // Whatever no route matches goes to the system function, which answers 404 route-not-found or
    // 405 method-not-allowed (with Allow) from the same table, so an unknown route is a problem
    // document instead of API Gateway's bare {"message":"Not Found"}. Those two answers need no
    // key: they reveal only the public route table.
    const fallback = integrations.get(DEFAULT_ROUTE_GROUP);
    if (!fallback) throw new Error(`no route of group '${DEFAULT_ROUTE_GROUP}' to take the $default route`);
    new apigw.HttpRoute(this, 'default-route', {
      httpApi: this.api,
      routeKey: apigw.HttpRouteKey.DEFAULT,
      integration: fallback,
    });
  }
}
