// The worker's composition root: which domains subscribe to store events and which job kinds
// exist. The worker process and the tests build their workers from here, so both run the same set.
import type { Shop } from "@prisma/client";
import type { Clock } from "./clock";
import { domainEventJobKind, type DomainEventSubscriber } from "./events/domain-events";
import { deliverDomainEvents } from "./events/event-delivery";
import type { JobHandler } from "./jobs/worker";
import { releaseJobKind } from "./loyalty/earning";
import { handleLoyaltyEvent, loyaltySubscriber, releaseJobHandler } from "./loyalty/subscriber";
import type { AdminClient } from "./shopify/admin-client";
import { backfillJobHandler, backfillJobKind } from "./shopify/backfill-job";

export interface WorkerSetup {
  subscribers: DomainEventSubscriber[];
  jobHandlers: Record<string, JobHandler>;
}

export function workerSetup(options: {
  clock: Clock;
  adminClientFor(shop: Shop, accessToken: string): AdminClient;
}): WorkerSetup {
  const subscribers = [loyaltySubscriber];
  return {
    subscribers,
    jobHandlers: {
      [domainEventJobKind]: deliverDomainEvents(
        { [loyaltySubscriber.name]: handleLoyaltyEvent },
        options.clock,
      ),
      [releaseJobKind]: releaseJobHandler(options.clock),
      // Imported history announces no events to subscribers: past orders do not earn points
      // or start flows by themselves.
      [backfillJobKind]: backfillJobHandler({ clock: options.clock, adminClientFor: options.adminClientFor }),
    },
  };
}
