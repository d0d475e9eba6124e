// The worker's composition root: which domains subscribe to store events and which job kinds
// exist. The worker process and the tests build their workers from here, so both run the same set.
import {
  analyticsRebuildJobHandler,
  analyticsRebuildJobKind,
  thenRebuildAnalytics,
} from "./analytics/rebuild";
import { analyticsSubscriber, analyticsSubscription } from "./analytics/subscriber";
import type { Clock } from "./clock";
import {
  dailyIntelligenceJobHandler,
  dailyIntelligenceJobKind,
  dailyIntelligenceSweep,
} from "./customers/intelligence/daily";
import { replenishmentSweep } from "./customers/intelligence/replenishment-sweep";
import { intelligenceSubscriber, intelligenceSubscription } from "./customers/intelligence/subscriber";
import { domainEventJobKind, type DomainEventSubscriber } from "./events/domain-events";
import { deliverDomainEvents } from "./events/event-delivery";
import { domainEventSubscribers } from "./events/subscribers";
import { defaultInboxRetentionDays, inboxPurgeJobHandler, inboxPurgeJobKind } from "./events/inbox-retention";
import { flowDiscountJobHandler, flowDiscountJobKind } from "./flows/discounts";
import { flowPointsJobHandler, flowPointsJobKind } from "./flows/points";
import { flowSchedulerSweep } from "./flows/scheduler";
import { flowTimersSweep } from "./flows/timers";
import { flowSendGuard } from "./flows/send-guard";
import { flowsSubscriber, flowsSubscription } from "./flows/subscriber";
import type { JobHandler, WorkerSweep } from "./jobs/worker";
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
import { browseEventPruneSweep } from "./storefront/browse-events";
import type { AdminClientFactory } from "./shopify/shop-admin";

export interface WorkerSetup {
  subscribers: DomainEventSubscriber[];
  jobHandlers: Record<string, JobHandler>;
  sweeps: WorkerSweep[];
}

export function workerSetup(options: {
  clock: Clock;
  adminClientFor: AdminClientFactory;
  /** The outbox's providers and links; without them no messages are sent (tests of other domains). */
  messaging?: OutboxDependencies;
  /** Days a processed webhook body is kept before it is erased (STAYLOOP_INBOX_RETENTION_DAYS). */
  inboxRetentionDays?: number;
}): WorkerSetup {
  const subscribers = domainEventSubscribers;
  const { clock, adminClientFor } = options;
  // Flow messages pass the flow's last check (exit on purchase, paused, ended) as they are sent.
  const messaging = options.messaging && { ...options.messaging, sendGuard: flowSendGuard };
  return {
    subscribers,
    // Without the outbox (tests of other domains) no flow step runs: it could not send.
    sweeps: [
      ...(messaging ? [flowSchedulerSweep({ links: messaging.links })] : []),
      // Browse abandonment, birthdays, anniversaries and affordable rewards become events.
      flowTimersSweep(subscribers),
      // Browse events older than 30 days go, in batches (R-EVT-8).
      browseEventPruneSweep(),
      // Customer intelligence: due replenishment reminders, and each shop's daily run when its day turns.
      replenishmentSweep(subscribers),
      dailyIntelligenceSweep(),
    ],
    jobHandlers: {
      [domainEventJobKind]: deliverDomainEvents(
        {
          [loyaltySubscriber.name]: {
            handle: loyaltyEventHandler(subscribers),
            handleBatch: loyaltyBatchHandler(subscribers),
          },
          [flowsSubscriber.name]: flowsSubscription(),
          [intelligenceSubscriber.name]: intelligenceSubscription(subscribers),
          [analyticsSubscriber.name]: analyticsSubscription(),
        },
        clock,
      ),
      [releaseJobKind]: releaseJobHandler(clock),
      [referralJobKind]: referralJobHandler({ clock, subscribers }),
      [dailyLoyaltyJobKind]: dailyLoyaltyJobHandler({ clock, subscribers }),
      [dailyIntelligenceJobKind]: dailyIntelligenceJobHandler({ clock, subscribers }),
      [cashbackJobKind]: cashbackJobHandler({ clock, adminClientFor }),
      [redemptionReconcileJobKind]: redemptionReconcileJobHandler({ clock, adminClientFor }),
      [consentSyncJobKind]: consentSyncJobHandler({ clock, adminClientFor }),
      ...(messaging ? outboxJobHandlers(messaging) : {}),
      [flowPointsJobKind]: flowPointsJobHandler({ clock, subscribers }),
      [flowDiscountJobKind]: flowDiscountJobHandler({ clock, adminClientFor }),
      [memberTagsJobKind]: memberTagsJobHandler({ adminClientFor }),
      // Imported history announces no events to subscribers: past orders do not earn points
      // or start flows by themselves; analytics is rebuilt from them once the import is done.
      [backfillJobKind]: thenRebuildAnalytics(backfillJobHandler({ clock, adminClientFor })),
      [analyticsRebuildJobKind]: analyticsRebuildJobHandler,
      [inboxPurgeJobKind]: inboxPurgeJobHandler({
        clock,
        retentionDays: options.inboxRetentionDays ?? defaultInboxRetentionDays,
      }),
    },
  };
}
