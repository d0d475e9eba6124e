// The flow scenario harness (issue 14): "given these webhooks, advance the clock by N, expect these
// messages / exits / attributions" — on a manual clock, a real database (SQLite or PostgreSQL), the
// real worker with every subscriber and the real outbox, and an in-memory e-mail channel that
// records what was handed to it. The flow library's tests build on it.
import type { Flow, Message, Shop } from "@prisma/client";
import type { Database } from "../../app/db/client";
import { createFlow, setFlowStatus } from "../../app/flows/flows";
import type { OutboxDependencies } from "../../app/messaging/outbox";
import type { EmailSender, OutgoingEmail } from "../../app/messaging/providers";
import { workerSetup } from "../../app/worker-setup";
import type { Worker } from "../../app/jobs/worker";
import type { AdminClientFactory } from "../../app/shopify/shop-admin";
import type { WebhookDelivery } from "../fixtures/store-history";
import { webhookDelivery } from "../fixtures/store-history";
import { ManualClock } from "./clock";
import { createTestDatabase, type TestDatabase } from "./database";
import { drain, storeDeliveries, testWorker } from "./inbox";

const minuteMs = 60_000;

/** An e-mail channel that keeps what it was given (and can be told to fail). */
export class RecordingEmailSender implements EmailSender {
  readonly dedupesRepeats = false as const;
  readonly sent: OutgoingEmail[] = [];
  private count = 0;

  async send(message: OutgoingEmail) {
    this.sent.push(message);
    this.count += 1;
    return { providerMessageId: `mem-${this.count}` };
  }
}

export const noAdminApi = () => {
  throw new Error("no Admin API in flow scenarios");
};

export interface ScenarioOptions {
  start?: string;
  shops?: string[];
  batchSize?: number;
  /** The Admin API the worker talks to (discount steps); none by default. */
  adminClientFor?: AdminClientFactory;
}

export class FlowScenario {
  readonly clock: ClockLike;
  readonly email = new RecordingEmailSender();
  worker!: Worker;
  shops: Shop[] = [];

  private constructor(
    readonly database: TestDatabase,
    readonly db: Database,
    clock: ManualClock,
  ) {
    this.clock = clock;
  }

  static async start(options: ScenarioOptions = {}): Promise<FlowScenario> {
    const database = await createTestDatabase();
    const db = database.connect();
    const scenario = new FlowScenario(database, db, new ManualClock(options.start ?? "2026-11-02T10:00:00Z"));
    for (const domain of options.shops ?? ["flows.myshopify.com", "flows-2.myshopify.com"]) {
      // Quiet hours off: timing tests are about the flow, not the outbox's postponements.
      const shop = await db.shop.create({ data: { domain, name: domain.split(".")[0], timezone: "UTC" } });
      await db.messagingSettings.create({
        data: { shopId: shop.id, quietStart: "00:00", quietEnd: "00:00", capMessages: 100 },
      });
      scenario.shops.push(shop);
    }
    scenario.worker = testWorker(db, scenario.clock, {
      batchSize: options.batchSize ?? 100,
      ...workerSetup({
        clock: scenario.clock,
        adminClientFor: options.adminClientFor ?? noAdminApi,
        messaging: scenario.messaging(),
      }),
    });
    return scenario;
  }

  messaging(): OutboxDependencies {
    return {
      clock: this.clock,
      senders: { email: this.email },
      links: { baseUrl: "https://app.stayloop.test", secret: "a-link-secret-of-enough-length" },
      defaultFrom: "Stayloop <hello@stayloop.test>",
    };
  }

  get shop(): Shop {
    return this.shops[0] as Shop;
  }

  /** A live flow in the shop. */
  async liveFlow(definition: unknown, shop: Shop = this.shop, name = "Test flow"): Promise<Flow> {
    const flow = await createFlow(this.db, {
      shopId: shop.id,
      name,
      definition,
      staff: "test@merchant",
      now: this.clock.now(),
    });
    return setFlowStatus(this.db, {
      shopId: shop.id,
      flowId: flow.id,
      status: "live",
      staff: "test@merchant",
      now: this.clock.now(),
    });
  }

  /** Webhooks arrive (stored in the inbox, in this order) and the worker runs until idle. */
  async receive(
    deliveries: readonly { topic: string; payload: unknown }[],
    shop: Shop = this.shop,
  ): Promise<void> {
    await this.store(
      deliveries.map((delivery) =>
        webhookDelivery(delivery.topic, delivery.payload, this.clock.now().toISOString()),
      ),
      shop,
    );
    await this.run();
  }

  async store(deliveries: readonly WebhookDelivery[], shop: Shop = this.shop): Promise<void> {
    await storeDeliveries(this.db, shop.domain, deliveries, this.clock.now());
  }

  /** Runs the worker until it finds nothing to do. */
  run(): Promise<number> {
    return drain(this.worker);
  }

  /** Another worker process: its own database connection, the same clock and channels. */
  anotherWorker(): Worker {
    return testWorker(this.database.connect(), this.clock, {
      batchSize: 100,
      ...workerSetup({ clock: this.clock, adminClientFor: noAdminApi, messaging: this.messaging() }),
    });
  }

  /** Moves the clock forward and runs the worker at every minute boundary in between. */
  async advance(minutes: number, stepMinutes = minutes): Promise<void> {
    let left = minutes;
    while (left > 0) {
      const step = Math.min(stepMinutes, left);
      this.clock.advance(step * minuteMs);
      left -= step;
      await this.run();
    }
  }

  /** E-mails handed to the channel, to one address. */
  emailsTo(address: string): OutgoingEmail[] {
    return this.email.sent.filter((message) => message.to === address);
  }

  messages(where: { flowId?: string; customerId?: string } = {}): Promise<Message[]> {
    return this.db.message.findMany({ where, orderBy: { createdAt: "asc" } });
  }

  async stop(): Promise<void> {
    await this.database.drop();
  }
}

type ClockLike = ManualClock;

/** A minimal e-mail template (en + cs) whose subject names the step. */
export function emailTemplate(subject: string) {
  return {
    versions: {
      en: {
        email: {
          subject: `${subject} for {{ customer.first_name }}`,
          html: "<p>Hi {{ customer.first_name }}</p>{% for item in items %}<p>{{ item.title }} × {{ item.quantity }}</p>{% endfor %}",
          text: "Hi {{ customer.first_name }} {{ checkout_url }}",
        },
      },
      cs: {
        email: {
          subject: `${subject} pro {{ customer.first_name }}`,
          html: "<p>Ahoj {{ customer.first_name }}</p>",
          text: "Ahoj {{ customer.first_name }} {{ checkout_url }}",
        },
      },
    },
  };
}

/** The three-reminder flow of the issue: send, wait 1 h, send, wait 24 h, send. */
export function threeStepFlow(overrides: Record<string, unknown> = {}) {
  return {
    trigger: { event: "checkout.updated", delayMinutes: 0 },
    templates: {
      first: emailTemplate("First"),
      second: emailTemplate("Second"),
      third: emailTemplate("Third"),
    },
    start: "send-1",
    steps: [
      { id: "send-1", type: "send", template: "first", next: "wait-1" },
      { id: "wait-1", type: "wait", minutes: 60, next: "send-2" },
      { id: "send-2", type: "send", template: "second", next: "wait-2" },
      { id: "wait-2", type: "wait", minutes: 24 * 60, next: "send-3" },
      { id: "send-3", type: "send", template: "third", next: null },
    ],
    ...overrides,
  };
}
