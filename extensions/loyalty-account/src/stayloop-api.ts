// Stayloop's customer-account endpoints, called with a fresh session token each time (Shopify caches
// it). The shapes mirror app/loyalty/account-data.ts.

export interface AccountReward {
  id: string;
  name: string;
  kind: string;
  pointsCost: number;
  amountMinor: number | null;
  currency: string | null;
  percentOff: number | null;
}

export interface AccountLoyalty {
  programActive: boolean;
  currency: string;
  pointsBalance: number;
  pendingPoints: number;
  tier: { id: string; name: string; perks: string[] } | null;
  nextTier: { id: string; name: string; threshold: number; metric: string } | null;
  affordableRewards: AccountReward[];
  nextReward: (AccountReward & { pointsNeeded: number }) | null;
}

export interface AccountRedemption {
  code: string;
  rewardId: string;
  points: number;
  endsAt: string | null;
  pointsBalance: number;
}

export class StayloopRequestError extends Error {
  constructor(readonly status: number) {
    super(`Stayloop answered ${status}`);
  }
}

export interface StayloopClient {
  loyalty(): Promise<AccountLoyalty>;
  redeem(rewardId: string, idempotencyKey: string): Promise<AccountRedemption>;
}

export function stayloopClient(appUrl: string, sessionToken: () => Promise<string>): StayloopClient {
  const call = async <T>(path: string, init: { method?: string; body?: string } = {}): Promise<T> => {
    const token = await sessionToken();
    const response = await fetch(`${appUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
    if (!response.ok) throw new StayloopRequestError(response.status);
    return (await response.json()) as T;
  };
  return {
    loyalty: () => call<AccountLoyalty>("/api/account/loyalty"),
    redeem: (rewardId, idempotencyKey) =>
      call<AccountRedemption>("/api/account/redemptions", {
        method: "POST",
        body: JSON.stringify({ rewardId, idempotencyKey }),
      }),
  };
}

/** A fresh key per redemption the shopper asks for; a retry of the same click reuses it. */
export function newIdempotencyKey(): string {
  const random = globalThis.crypto?.randomUUID?.();
  return random ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
