// Every saved version of the flow and every change of its status, with who and when (shop time).
import { BlockStack, Card, DataTable, Text } from "@shopify/polaris";
import { useAdminLocale, useMessages } from "../../i18n/catalogue";
import { flowsMessages } from "../../i18n/messages/flows";
import { formatMoment } from "./format";

const actionKeys = {
  created: "actionCreated",
  edited: "actionEdited",
  went_live: "actionWentLive",
  paused: "actionPaused",
  resumed: "actionResumed",
  archived: "actionArchived",
} as const;

export function VersionHistory({
  versions,
  changes,
  currentVersion,
  timeZone,
}: {
  versions: { version: number; createdBy: string; createdAt: string }[];
  changes: { action: string; version: number; staff: string; at: string }[];
  currentVersion: number;
  timeZone: string;
}) {
  const t = useMessages(flowsMessages);
  const locale = useAdminLocale();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t.history}
        </Text>
        <div data-testid="version-history">
          <DataTable
            columnContentTypes={["text", "text", "text"]}
            headings={[t.version, t.who, t.when]}
            rows={versions.map((version) => [
              version.version === currentVersion
                ? `${version.version} (${t.current})`
                : String(version.version),
              version.createdBy,
              formatMoment(version.createdAt, timeZone, locale),
            ])}
          />
        </div>
        <Text as="h3" variant="headingSm">
          {t.changes}
        </Text>
        <DataTable
          columnContentTypes={["text", "numeric", "text", "text"]}
          headings={[t.action, t.version, t.who, t.when]}
          rows={changes.map((change) => [
            change.action in actionKeys
              ? t[actionKeys[change.action as keyof typeof actionKeys]]
              : change.action,
            String(change.version),
            change.staff,
            formatMoment(change.at, timeZone, locale),
          ])}
        />
      </BlockStack>
    </Card>
  );
}
