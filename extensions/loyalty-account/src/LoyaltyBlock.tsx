/** @jsxImportSource preact */
// The Stayloop rewards block on the customer-account Profile and Orders pages: points, pending
// points, tier, the rewards the shopper can afford with a Redeem button each (the code is shown once
// issued), and how far the next reward is. Nothing shows while the merchant's program is off.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { stayloopAppUrl } from "./config";
import {
  newIdempotencyKey,
  StayloopRequestError,
  stayloopClient,
  type AccountLoyalty,
  type AccountRedemption,
  type AccountReward,
} from "./stayloop-api";

export default async () => {
  render(<LoyaltyBlock />, document.body);
};

const client = stayloopClient(stayloopAppUrl, () => shopify.sessionToken.get());
const t = (key: string, options?: Record<string, string | number>) => shopify.i18n.translate(key, options);
// `count` picks the plural form (one / few / many / other) of the shopper's language.
const points = (count: number) => t("cost", { count });

type Loaded = { state: "loading" } | { state: "failed" } | { state: "ready"; loyalty: AccountLoyalty };

function LoyaltyBlock() {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const load = useCallback(() => {
    setLoaded({ state: "loading" });
    client.loyalty().then(
      (loyalty) => setLoaded({ state: "ready", loyalty }),
      () => setLoaded({ state: "failed" }),
    );
  }, []);
  useEffect(load, [load]);

  if (loaded.state === "loading") return <s-spinner accessibilityLabel={t("loading")} />;
  if (loaded.state === "failed") {
    return (
      <s-banner tone="critical" heading={t("loadFailed")}>
        <s-button onClick={load}>{t("retry")}</s-button>
      </s-banner>
    );
  }
  const { loyalty } = loaded;
  if (!loyalty.programActive) return null;
  return (
    <Rewards
      loyalty={loyalty}
      onBalance={(pointsBalance) => setLoaded({ state: "ready", loyalty: { ...loyalty, pointsBalance } })}
    />
  );
}

function Rewards({ loyalty, onBalance }: { loyalty: AccountLoyalty; onBalance: (balance: number) => void }) {
  const [issued, setIssued] = useState<{ reward: AccountReward; redemption: AccountRedemption } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const count = (value: number) => ({ count: value });
  // After a redemption the balance drops: what it no longer covers goes.
  const affordable = loyalty.affordableRewards.filter((reward) => reward.pointsCost <= loyalty.pointsBalance);
  return (
    <s-section heading={t("title")}>
      <s-stack direction="block" gap="base">
        <s-heading>{t("balance", count(loyalty.pointsBalance))}</s-heading>
        {loyalty.pendingPoints > 0 && (
          <s-text color="subdued">{t("pending", count(loyalty.pendingPoints))}</s-text>
        )}
        {loyalty.tier && (
          <s-stack direction="inline" gap="small-200">
            <s-badge>{t("tier", { name: loyalty.tier.name })}</s-badge>
            {loyalty.nextTier && (
              <s-text color="subdued">{t("nextTier", { name: loyalty.nextTier.name })}</s-text>
            )}
          </s-stack>
        )}
        {issued && (
          <s-banner
            tone="success"
            heading={t("redeemed", { reward: issued.reward.name, code: issued.redemption.code })}
          >
            <s-paragraph>{t("redeemedHint")}</s-paragraph>
          </s-banner>
        )}
        {failure && <s-banner tone="critical" heading={failure} />}
        <s-heading>{t("rewardsHeading")}</s-heading>
        {affordable.length === 0 && <s-paragraph>{t("noRewards")}</s-paragraph>}
        {affordable.map((reward) => (
          <RewardRow
            key={reward.id}
            reward={reward}
            onIssued={(redemption) => {
              setFailure(null);
              setIssued({ reward, redemption });
              onBalance(redemption.pointsBalance);
            }}
            onFailed={(message) => setFailure(message)}
          />
        ))}
        {loyalty.nextReward && (
          <s-text color="subdued">
            {t("nextReward", { ...count(loyalty.nextReward.pointsNeeded), reward: loyalty.nextReward.name })}
          </s-text>
        )}
      </s-stack>
    </s-section>
  );
}

function RewardRow(props: {
  reward: AccountReward;
  onIssued: (redemption: AccountRedemption) => void;
  onFailed: (message: string) => void;
}) {
  const { reward } = props;
  // One key per shopper intent: pressing again after a network failure is the same redemption.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const [busy, setBusy] = useState(false);
  const redeem = () => {
    if (busy) return;
    setBusy(true);
    client.redeem(reward.id, idempotencyKey).then(
      (redemption) => {
        setBusy(false);
        setIdempotencyKey(newIdempotencyKey());
        props.onIssued(redemption);
      },
      (error: unknown) => {
        setBusy(false);
        props.onFailed(
          error instanceof StayloopRequestError && error.status === 409 ? t("notEnough") : t("redeemFailed"),
        );
      },
    );
  };
  return (
    <s-stack direction="inline" gap="base" alignItems="center" justifyContent="space-between">
      <s-text>
        {reward.name} · {points(reward.pointsCost)}
      </s-text>
      <s-button
        variant="primary"
        loading={busy}
        accessibilityLabel={t("redeemLabel", { reward: reward.name, points: points(reward.pointsCost) })}
        onClick={redeem}
      >
        {t("redeem")}
      </s-button>
    </s-stack>
  );
}
