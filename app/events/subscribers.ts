// Every domain that subscribes to domain events, for whoever records one: the worker, and the web
// process when a shopper's action is itself a fact (an NPS answer).
import { analyticsSubscriber } from "../analytics/subscriber";
import { intelligenceSubscriber } from "../customers/intelligence/subscriber";
import { flowsSubscriber } from "../flows/subscriber";
import { loyaltySubscriber } from "../loyalty/subscriber";
import type { DomainEventSubscriber } from "./domain-events";

export const domainEventSubscribers: DomainEventSubscriber[] = [
  loyaltySubscriber,
  flowsSubscriber,
  intelligenceSubscriber,
  analyticsSubscriber,
];
