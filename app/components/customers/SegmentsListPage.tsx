// The saved segments with how many customers each holds now; each opens in the builder.
import { useSearchParams } from "@remix-run/react";
import { Banner, BlockStack, Box, Card, DataTable, Link, Page, Text } from "@shopify/polaris";
import { fill, useAdminLocale, useMessages } from "../../i18n/catalogue";
import { customersMessages } from "../../i18n/messages/customers";
import { formatNumber } from "./format";

export interface SegmentsListPageProps {
  segments: { id: string; name: string; count: number; conditions: number; match: string }[];
}

export function SegmentsListPage({ segments }: SegmentsListPageProps) {
  const words = useMessages(customersMessages);
  const locale = useAdminLocale();
  const [params] = useSearchParams();
  return (
    <Page
      title={words.segmentsTitle}
      backAction={{ content: words.backToCustomers, url: "/app/customers" }}
      primaryAction={{ content: words.newSegment, url: "/app/customers/segments/new" }}
    >
      <BlockStack gap="400">
        {params.has("deleted") ? <Banner tone="success" title={words.deleted} /> : null}
        <Card padding="0">
          {segments.length === 0 ? (
            <Box padding="400">
              <Text as="p" tone="subdued">
                {words.noSegments}
              </Text>
            </Box>
          ) : (
            <DataTable
              columnContentTypes={["text", "text", "numeric"]}
              headings={[words.segmentName, words.segmentConditions, words.segmentCustomers]}
              rows={segments.map((segment) => [
                <Link key="name" url={`/app/customers/segments/${segment.id}`} removeUnderline>
                  {segment.name}
                </Link>,
                fill(words.segmentConditionCount, {
                  count: segment.conditions,
                  match: segment.match === "any" ? words.match_any : words.match_all,
                }),
                <Link key="count" url={`/app/customers?segment=${segment.id}`} removeUnderline>
                  {formatNumber(segment.count, locale)}
                </Link>,
              ])}
            />
          )}
        </Card>
      </BlockStack>
    </Page>
  );
}
