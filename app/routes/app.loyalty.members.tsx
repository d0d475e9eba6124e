// /app/loyalty/members — find a member, see their points and tier, adjust their points with a
// reason (R-LOY-9). The adjustment is recorded with the staff member who made it; a resubmitted
// form (same adjustment id) is applied once.
import { randomUUID } from "node:crypto";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  InlineStack,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { adminActor, requireAdmin } from "../admin.server";
import prisma from "../db.server";
import { AdjustmentError, adjustPoints } from "../loyalty/adjustments";
import { InsufficientPointsError } from "../loyalty/ledger";
import { findMembers } from "../loyalty/members";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdmin(request);
  const search = new URL(request.url).searchParams.get("q") ?? "";
  return { search, members: await findMembers(prisma, shop.id, search), adjustmentId: randomUUID() };
};

const adjustmentForm = z.object({
  memberId: z.string().min(1, "choose a member"),
  points: z.string().regex(/^-?\d+$/, "points must be a whole number, e.g. 100 or -50"),
  reason: z.string(),
  adjustmentId: z.string().uuid(),
});

type ActionResult = { ok: true; message: string } | { ok: false; message: string };

export const action = async ({ request, context }: ActionFunctionArgs): Promise<ActionResult> => {
  const admin = await requireAdmin(request);
  const parsed = adjustmentForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success)
    return { ok: false, message: parsed.error.issues.map((issue) => issue.message).join("; ") };
  const member = await prisma.loyaltyMember.findFirst({
    where: { id: parsed.data.memberId, shopId: admin.shop.id },
  });
  if (!member) return { ok: false, message: "That member is not in this shop." };
  try {
    const { entry } = await adjustPoints(
      prisma,
      admin.shop.id,
      {
        memberId: member.id,
        points: Number(parsed.data.points),
        reason: parsed.data.reason,
        actor: adminActor(admin),
        adjustmentId: parsed.data.adjustmentId,
      },
      context.clock.now(),
    );
    return {
      ok: true,
      message: `Adjusted by ${entry.pointsDelta} points; balance now ${entry.balanceAfter}.`,
    };
  } catch (error) {
    if (error instanceof AdjustmentError) return { ok: false, message: error.message };
    if (error instanceof InsufficientPointsError) {
      return { ok: false, message: `The member has only ${error.available} points to take away.` };
    }
    throw error;
  }
};

export default function LoyaltyMembers() {
  const { search, members, adjustmentId } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [query, setQuery] = useState(search);
  const [chosenMemberId, setMemberId] = useState(members[0]?.id ?? "");
  // A new search replaces the list: the member chosen before stays chosen only if still listed,
  // otherwise the form is for the first member shown (what the Select shows and submits).
  const memberId = members.some((member) => member.id === chosenMemberId)
    ? chosenMemberId
    : (members[0]?.id ?? "");
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  // A saved adjustment clears the form, so it is not submitted twice by accident.
  useEffect(() => {
    if (result?.ok) {
      setPoints("");
      setReason("");
    }
  }, [result]);
  return (
    <Page title="Loyalty members" backAction={{ content: "Loyalty program", url: "/app/loyalty" }}>
      <TitleBar title="Loyalty members" />
      <BlockStack gap="400">
        {result ? <Banner tone={result.ok ? "success" : "critical"} title={result.message} /> : null}
        <Card>
          <Form method="get">
            <InlineStack gap="200" blockAlign="end">
              <TextField
                label="Find by e-mail or name"
                name="q"
                autoComplete="off"
                value={query}
                onChange={setQuery}
              />
              <Button submit>Search</Button>
            </InlineStack>
          </Form>
        </Card>
        <Card padding="0">
          <DataTable
            columnContentTypes={["text", "text", "numeric", "numeric", "numeric"]}
            headings={["Customer", "Tier", "Points", "Pending", "Earned in total"]}
            rows={members.map((member) => [
              member.email ?? (member.name || `Customer ${member.customerShopifyId}`),
              member.tier ?? "—",
              member.pointsBalance,
              member.pendingPoints,
              member.lifetimePoints,
            ])}
          />
          {members.length === 0 ? (
            <div style={{ padding: "16px" }}>
              <Text as="p" tone="subdued">
                No members match.
              </Text>
            </div>
          ) : null}
        </Card>
        {members.length > 0 ? (
          <Card>
            <Form method="post">
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Adjust points
                </Text>
                <input type="hidden" name="adjustmentId" value={adjustmentId} />
                <Select
                  label="Member"
                  name="memberId"
                  options={members.map((member) => ({
                    label: `${member.email ?? member.name} (${member.pointsBalance} points)`,
                    value: member.id,
                  }))}
                  value={memberId}
                  onChange={setMemberId}
                />
                <TextField
                  label="Points (negative to take away)"
                  name="points"
                  autoComplete="off"
                  value={points}
                  onChange={setPoints}
                />
                <TextField
                  label="Reason"
                  name="reason"
                  autoComplete="off"
                  value={reason}
                  onChange={setReason}
                />
                <InlineStack>
                  <Button submit variant="primary" loading={navigation.state === "submitting"}>
                    Adjust points
                  </Button>
                </InlineStack>
              </BlockStack>
            </Form>
          </Card>
        ) : null}
      </BlockStack>
    </Page>
  );
}
