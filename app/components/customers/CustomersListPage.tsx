// The customers list: a search box and filter menus (a GET form: the URL holds the query, so a
// filtered list can be bookmarked), the table of customers and the pages.
import { Form, useNavigation, useSubmit } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Box,
  Button,
  Card,
  DataTable,
  InlineGrid,
  InlineStack,
  Link,
  Page,
  Pagination,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import type { CustomerListRow } from "../../customers/customer-list";
import { consentStates, lifecycleStages, rfmSegments, valueBands } from "../../customers/segment-fields";
import { useAdminLocale, useMessages } from "../../i18n/catalogue";
import { customersMessages, type CustomersWords } from "../../i18n/messages/customers";
import { formatMoney } from "./format";
import { customerName, lifecycleTone, word } from "./words";

type Serialized<T> = {
  [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K];
};

export interface CustomersListPageProps {
  page: {
    customers: Serialized<CustomerListRow>[];
    nextCursor: string | null;
    previousCursor: string | null;
  };
  tiers: { id: string; name: string }[];
  segments: { id: string; name: string }[];
  filters: Record<string, string>;
  shop: { currency: string; timezone: string };
}

const filterNames = [
  "lifecycle",
  "rfm",
  "value",
  "email",
  "sms",
  "whatsapp",
  "membership",
  "tier",
  "segment",
] as const;

function options(words: CustomersWords, prefix: string, values: readonly string[]) {
  return [
    { label: words.filterAny, value: "" },
    ...values.map((value) => ({ label: word(words, `${prefix}${value}`), value })),
  ];
}

export function CustomersListPage({ page, tiers, segments, filters, shop }: CustomersListPageProps) {
  const words = useMessages(customersMessages);
  const locale = useAdminLocale();
  const submit = useSubmit();
  const navigation = useNavigation();
  const [search, setSearch] = useState(filters.q ?? "");
  const [chosen, setChosen] = useState<Record<string, string>>(() =>
    Object.fromEntries(filterNames.map((name) => [name, filters[name] ?? ""])),
  );
  const queryOf = (filtersChosen: Record<string, string>, extra: Record<string, string> = {}) => {
    const params = new URLSearchParams();
    if (search) params.set("q", search);
    for (const name of filterNames) if (filtersChosen[name]) params.set(name, filtersChosen[name] as string);
    for (const [key, value] of Object.entries(extra)) if (value) params.set(key, value);
    return params;
  };
  // The list follows each choice at once, from the first page.
  const choose = (name: string) => (value: string) => {
    const next = { ...chosen, [name]: value };
    setChosen(next);
    submit(queryOf(next), { method: "get", action: "/app/customers", replace: true });
  };
  const tierName = new Map(tiers.map((tier) => [tier.id, tier.name]));
  const menus: {
    name: (typeof filterNames)[number];
    label: string;
    options: { label: string; value: string }[];
  }[] = [
    {
      name: "lifecycle",
      label: words.filterLifecycle,
      options: options(words, "lifecycle_", lifecycleStages),
    },
    { name: "rfm", label: words.filterRfm, options: options(words, "rfm_", rfmSegments) },
    { name: "value", label: words.filterValue, options: options(words, "value_", valueBands) },
    { name: "email", label: words.filterEmail, options: options(words, "consent_", consentStates) },
    { name: "sms", label: words.filterSms, options: options(words, "consent_", consentStates) },
    { name: "whatsapp", label: words.filterWhatsapp, options: options(words, "consent_", consentStates) },
    {
      name: "membership",
      label: words.filterMembership,
      options: [
        { label: words.filterAny, value: "" },
        { label: words.membershipMember, value: "member" },
        { label: words.membershipNotMember, value: "not_member" },
      ],
    },
    {
      name: "tier",
      label: words.filterTier,
      options: [
        { label: words.filterAny, value: "" },
        ...tiers.map((tier) => ({ label: tier.name, value: tier.id })),
      ],
    },
    {
      name: "segment",
      label: words.filterSegment,
      options: [
        { label: words.filterAny, value: "" },
        ...segments.map((segment) => ({ label: segment.name, value: segment.id })),
      ],
    },
  ];
  const pageUrl = (cursor: { after?: string; before?: string }) =>
    `/app/customers?${queryOf(chosen, cursor)}`;
  const rows = page.customers.map((customer) => [
    <Link key="name" url={`/app/customers/${customer.id}`} removeUnderline>
      {customerName(customer, words)}
    </Link>,
    [customer.email, customer.phone].filter(Boolean).join(" · ") || words.none,
    <Badge key="stage" tone={lifecycleTone(customer.lifecycleStage)}>
      {word(words, `lifecycle_${customer.lifecycleStage}`)}
    </Badge>,
    customer.rfmSegment ? word(words, `rfm_${customer.rfmSegment}`) : words.none,
    customer.valueBand ? word(words, `value_${customer.valueBand}`) : words.none,
    [
      customer.emailConsent === "subscribed" ? words.channelEmail : null,
      customer.smsConsent === "subscribed" ? words.channelSms : null,
      customer.whatsappConsent === "subscribed" ? words.channelWhatsapp : null,
    ]
      .filter(Boolean)
      .join(", ") || words.consentNone,
    customer.loyalty
      ? customer.loyalty.tierId
        ? (tierName.get(customer.loyalty.tierId) ?? customer.loyalty.tierId)
        : words.noTier
      : words.notMember,
    customer.ordersCount,
    formatMoney(customer.totalSpentMinor, customer.currency ?? shop.currency, locale),
  ]);
  return (
    <Page
      title={words.customersTitle}
      secondaryActions={[{ content: words.segmentsAction, url: "/app/customers/segments" }]}
    >
      <BlockStack gap="400">
        <Card>
          <Form method="get" aria-label={words.filtersHeading}>
            <BlockStack gap="300">
              <InlineStack gap="200" blockAlign="end" wrap={false}>
                <Box width="100%">
                  <TextField
                    label={words.searchLabel}
                    name="q"
                    autoComplete="off"
                    value={search}
                    onChange={setSearch}
                  />
                </Box>
                <Button submit loading={navigation.state === "loading"}>
                  {words.searchAction}
                </Button>
              </InlineStack>
              <Text as="h2" variant="headingSm">
                {words.filtersHeading}
              </Text>
              <InlineGrid columns={{ xs: 1, sm: 2, md: 3, lg: 5 }} gap="200">
                {menus.map((menu) => (
                  <Select
                    key={menu.name}
                    id={`filter-${menu.name}`}
                    name={menu.name}
                    label={menu.label}
                    options={menu.options}
                    value={chosen[menu.name] ?? ""}
                    onChange={choose(menu.name)}
                  />
                ))}
              </InlineGrid>
              <InlineStack>
                <Button url="/app/customers" variant="plain">
                  {words.clearFilters}
                </Button>
              </InlineStack>
            </BlockStack>
          </Form>
        </Card>
        <Card padding="0">
          <DataTable
            columnContentTypes={[
              "text",
              "text",
              "text",
              "text",
              "text",
              "text",
              "text",
              "numeric",
              "numeric",
            ]}
            headings={[
              words.columnCustomer,
              words.columnContact,
              words.columnLifecycle,
              words.columnRfm,
              words.columnValue,
              words.columnConsent,
              words.columnTier,
              words.columnOrders,
              words.columnSpent,
            ]}
            rows={rows}
          />
          {rows.length === 0 ? (
            <Box padding="400">
              <Text as="p" tone="subdued">
                {words.noCustomers}
              </Text>
            </Box>
          ) : null}
          <Box padding="300">
            <InlineStack align="center">
              <nav aria-label={words.pagination}>
                <Pagination
                  hasPrevious={page.previousCursor !== null}
                  previousURL={page.previousCursor ? pageUrl({ before: page.previousCursor }) : undefined}
                  hasNext={page.nextCursor !== null}
                  nextURL={page.nextCursor ? pageUrl({ after: page.nextCursor }) : undefined}
                />
              </nav>
            </InlineStack>
          </Box>
        </Card>
      </BlockStack>
    </Page>
  );
}
