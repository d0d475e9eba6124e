// The worker's composition root: which domains subscribe to store events and which job kinds
// exist. The worker process and the tests build their workers from here, so both run the same set.
import type { Clock } from "./clock";
import { domainEventJobKind, type DomainEventSubscriber } from "./events/domain-events";
import { deliverDomainEvents } from "./events/event-delivery";
import { defaultInboxRetentionDays, inboxPurgeJobHandler, inboxPurgeJobKind } from "./events/inbox-retention";
import type { JobHandler } from "./jobs/worker";
import { loyaltyBatchHandler } from "./loyalty/batch-earning";
import { cashbackJobHandler, cashbackJobKind } from "./loyalty/cashback";
import { dailyLoyaltyJobHandler, dailyLoyaltyJobKind } from "./loyalty/daily";
import { releaseJobKind } from "./loyalty/earning";
import { memberTagsJobHandler } from "./loyalty/member-tags";
import { redemptionReconcileJobHandler, redemptionReconcileJobKind } from "./loyalty/redemption";
import { referralJobKind } from "./loyalty/referrals";
import {
  loyaltyEventHandler,
  loyaltySubscriber,
  referralJobHandler,
  releaseJobHandler,
} from "./loyalty/subscriber";
import { memberTagsJobKind } from "./loyalty/vip";
import { consentSyncJobHandler, consentSyncJobKind } from "./messaging/consent";
import { outboxJobHandlers, type OutboxDependencies } from "./messaging/outbox";
import { backfillJobHandler, backfillJobKind } from "./shopify/backfill-job";
import type { AdminClientFactory } from "./shopify/shop-admin";

export interface WorkerSetup {
  subscribers: DomainEventSubscriber[];
  jobHandlers: Record<string, JobHandler>;
}

export function workerSetup(options: {
  clock: Clock;
  adminClientFor: AdminClientFactory;
  /** The outbox's providers and links; without them no messages are sent (tests of other domains). */
  messaging?: OutboxDependencies;
  /** Days a processed webhook body is kept before it is erased (STAYLOOP_INBOX_RETENTION_DAYS). */
  inboxRetentionDays?: number;
}): WorkerSetup {
  const subscribers = [loyaltySubscriber];
  const { clock, adminClientFor } = options;
  return {
    subscribers,
    jobHandlers: {
      [domainEventJobKind]: deliverDomainEvents(
        {
          [loyaltySubscriber.name]: {
            handle: loyaltyEventHandler(subscribers),
            handleBatch: loyaltyBatchHandler(subscribers),
          },
        },
        clock,
      ),
      [releaseJobKind]: releaseJobHandler(clock),
      [referralJobKind]: referralJobHandler({ clock, subscribers }),
      [dailyLoyaltyJobKind]: dailyLoyaltyJobHandler({ clock, subscribers }),
      [cashbackJobKind]: cashbackJobHandler({ clock, adminClientFor }),
      [redemptionReconcileJobKind]: redemptionReconcileJobHandler({ clock, adminClientFor }),
      [consentSyncJobKind]: consentSyncJobHandler({ clock, adminClientFor }),
      ...(options.messaging ? outboxJobHandlers(options.messaging) : {}),
      [memberTagsJobKind]: memberTagsJobHandler({ adminClientFor }),
      // Imported history announces no events to subscribers: past orders do not earn points
      // or start flows by themselves.
      [backfillJobKind]: backfillJobHandler({ clock, adminClientFor }),
      [inboxPurgeJobKind]: inboxPurgeJobHandler({
        clock,
        retentionDays: options.inboxRetentionDays ?? defaultInboxRetentionDays,
      }),
    },
  };
}
