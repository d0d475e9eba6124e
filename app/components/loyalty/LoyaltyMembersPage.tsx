// The loyalty members page (/app/loyalty/members): search, the members' points, and a manual
// adjustment with a reason.
import { Form, useActionData, useNavigation } from "@remix-run/react";
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
import { fill, useAdminLocale, useMessages } from "../../i18n/catalogue";
import { useErrorText } from "../../i18n/errors";
import { loyaltyMessages } from "../../i18n/messages/loyalty";
import type { AdjustmentResult } from "../../loyalty/admin-pages";
import type { MemberRow } from "../../loyalty/members";

interface Props {
  search: string;
  members: MemberRow[];
  adjustmentId: string;
}

export function LoyaltyMembersPage({ search, members, adjustmentId }: Props) {
  const words = useMessages(loyaltyMessages);
  const errorText = useErrorText(loyaltyMessages);
  const locale = useAdminLocale();
  const result = useActionData<AdjustmentResult>();
  const navigation = useNavigation();
  const [query, setQuery] = useState(search);
  const [chosenMemberId, setMemberId] = useState(members[0]?.id ?? "");
  // A new search replaces the list: the member chosen before stays chosen only if still listed,
  // otherwise the form is for the first member shown (what the Select shows and submits).
  const memberId = members.some((member) => member.id === chosenMemberId)
    ? chosenMemberId
    : (members[0]?.id ?? "");
  const resultText = (done: AdjustmentResult): string => {
    if (done.ok) return fill(words.adjusted, { points: done.points, balance: done.balance });
    if (done.problem === "not_in_shop") return words.notInShop;
    if (done.problem === "too_few_points") return fill(words.tooFewPoints, { available: done.available });
    return done.message
      .split("; ")
      .map((part) => errorText(part))
      .join("; ");
  };
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
    <Page title={words.membersTitle} backAction={{ content: words.title, url: "/app/loyalty" }}>
      <TitleBar title={words.membersTitle} />
      <BlockStack gap="400">
        {result ? <Banner tone={result.ok ? "success" : "critical"} title={resultText(result)} /> : null}
        <Card>
          <Form method="get">
            <InlineStack gap="200" blockAlign="end">
              <TextField
                label={words.findMember}
                name="q"
                autoComplete="off"
                value={query}
                onChange={setQuery}
              />
              <Button submit>{words.search}</Button>
            </InlineStack>
          </Form>
        </Card>
        <Card padding="0">
          <DataTable
            columnContentTypes={["text", "text", "numeric", "numeric", "numeric"]}
            headings={[
              words.columnCustomer,
              words.columnTier,
              words.columnPoints,
              words.columnPending,
              words.columnLifetime,
            ]}
            rows={members.map((member) => [
              member.email ?? (member.name || fill(words.customerNumber, { id: member.customerShopifyId })),
              member.tier ?? "—",
              member.pointsBalance.toLocaleString(locale),
              member.pendingPoints.toLocaleString(locale),
              member.lifetimePoints.toLocaleString(locale),
            ])}
          />
          {members.length === 0 ? (
            <div style={{ padding: "16px" }}>
              <Text as="p" tone="subdued">
                {words.noMembers}
              </Text>
            </div>
          ) : null}
        </Card>
        {members.length > 0 ? (
          <Card>
            <Form method="post">
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {words.adjustPoints}
                </Text>
                <input type="hidden" name="adjustmentId" value={adjustmentId} />
                <Select
                  label={words.member}
                  name="memberId"
                  options={members.map((member) => ({
                    label: fill(words.memberOption, {
                      name: member.email ?? member.name,
                      points: member.pointsBalance.toLocaleString(locale),
                    }),
                    value: member.id,
                  }))}
                  value={memberId}
                  onChange={setMemberId}
                />
                <TextField
                  label={words.adjustmentPoints}
                  name="points"
                  autoComplete="off"
                  value={points}
                  onChange={setPoints}
                />
                <TextField
                  label={words.reason}
                  name="reason"
                  autoComplete="off"
                  value={reason}
                  onChange={setReason}
                />
                <InlineStack>
                  <Button submit variant="primary" loading={navigation.state === "submitting"}>
                    {words.adjustPoints}
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
