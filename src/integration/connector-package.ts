import {
  EVENT_SLUGS,
  EVENT_TITLES,
  SUBSCRIPTION_EVENTS,
} from '../application/subscriptions/subscription.js';
import type { JsonObject } from './json.js';
import {
  apiProperties,
  toSwagger2,
  type ConnectorTarget,
  type TriggerDocument,
  type TriggerSpec,
} from './swagger2.js';

/** The routes and schemas the connector's triggers are written from. */
export const TRIGGERS: TriggerDocument = {
  triggers: SUBSCRIPTION_EVENTS.map((event): TriggerSpec => ({
    event: EVENT_SLUGS[event],
    operationId: EVENT_TITLES[event].replace(/[^A-Za-z]/g, ''),
    summary: EVENT_TITLES[event],
    description: `${EVENT_TITLES[event]} on a CAR you may see. Each event has a stable id; a retry carries the same id.`,
  })),
  subscribePath: '/api/subscriptions/events/{event}',
  unsubscribePath: '/api/subscriptions/{id}',
  subscriptionSchema: 'Subscription',
  eventSchema: 'SubscriptionEvent',
};

/** A connector definition is refused over 1 MB. */
export const MAX_DEFINITION_BYTES = 1024 * 1024;

export interface ConnectorPackage {
  readonly definition: JsonObject;
  readonly properties: JsonObject;
}

/** `apiDefinition.swagger.json` and `apiProperties.json` from the OpenAPI 3.1 document. */
export function connectorPackage(doc31: JsonObject, target: ConnectorTarget): ConnectorPackage {
  return { definition: toSwagger2(doc31, target, TRIGGERS), properties: apiProperties(target) };
}
